import jwt from 'jsonwebtoken';
import { InvalidPrincipal, InvalidToken, TokenService } from './token.service';

const SECRET = 'unit-test-secret-of-at-least-32-characters';

describe('TokenService', () => {
  const tokens = new TokenService(SECRET);
  const rawToken = (claims: object, secret = SECRET, options: jwt.SignOptions = {}) =>
    jwt.sign(claims, secret, { algorithm: 'HS256', ...options });

  it('verifies what it signs', () => {
    const token = tokens.sign({ sub: 'desk-007', role: 'agent', branch: 'ZG' }, { expiresIn: '1h' });
    expect(tokens.verify(token)).toEqual({ sub: 'desk-007', role: 'agent', branch: 'ZG', scopes: [] });
  });

  it('carries the department of a handler and the scopes', () => {
    const token = tokens.sign({ sub: 'h-1', role: 'handler', department: 'billing-center', scopes: ['reply', 'forward'] }, { expiresIn: 60 });
    expect(jwt.decode(token)).toMatchObject({ scope: 'reply forward' });
    expect(tokens.verify(token)).toEqual({ sub: 'h-1', role: 'handler', department: 'billing-center', scopes: ['reply', 'forward'] });
  });

  it('parses the scope claim on spaces', () => {
    expect(tokens.verify(rawToken({ sub: 'a', role: 'admin', scope: ' stats:read  clock ' })).scopes).toEqual(['stats:read', 'clock']);
  });

  it('refuses an expired token, saying when it expired', () => {
    const token = rawToken({ sub: 'a', role: 'admin', exp: Math.floor(Date.UTC(2024, 0, 1) / 1000) });
    expect(() => tokens.verify(token)).toThrow(new InvalidToken('the token expired at 2024-01-01T00:00:00.000Z'));
  });

  it('refuses a token not valid yet', () => {
    const token = rawToken({ sub: 'a', role: 'admin' }, SECRET, { notBefore: '1h' });
    expect(() => tokens.verify(token)).toThrow(/^the token is not valid before /);
  });

  it('refuses a token signed with another secret', () => {
    expect(() => tokens.verify(rawToken({ sub: 'a', role: 'admin' }, 'another secret'))).toThrow(new InvalidToken('the token signature is invalid'));
  });

  it('refuses what is not a JWT', () => {
    expect(() => tokens.verify('not-a-jwt')).toThrow(new InvalidToken('the token is malformed'));
  });

  it('refuses unsigned tokens (alg none)', () => {
    const unsigned = jwt.sign({ sub: 'a', role: 'admin' }, '', { algorithm: 'none' });
    expect(() => tokens.verify(unsigned)).toThrow(InvalidToken);
  });

  it('refuses other algorithms, even with the right secret', () => {
    expect(() => tokens.verify(rawToken({ sub: 'a', role: 'admin' }, SECRET, { algorithm: 'HS512' }))).toThrow(
      new InvalidToken('the token is invalid: invalid algorithm'),
    );
  });

  it.each([
    [{ role: 'admin' }, 'sub is required'],
    [{ sub: '', role: 'admin' }, 'sub must be a non-empty string'],
    [{ sub: 'a' }, 'role is required'],
    [{ sub: 'a', role: 'root' }, 'role must be one of agent, callcenter, handler, supervisor, accounts, analyst, admin'],
    [{ sub: 'a', role: 'agent' }, 'role agent requires a branch'],
    [{ sub: 'a', role: 'supervisor' }, 'role supervisor requires a branch'],
    [{ sub: 'a', role: 'accounts' }, 'role accounts requires a branch'],
    [{ sub: 'a', role: 'handler' }, 'role handler requires a department'],
    [{ sub: 'a', role: 'agent', branch: 7 }, 'branch must be a non-empty string'],
    [{ sub: 'a', role: 'admin', scope: ['x'] }, 'scope must be a space-separated string'],
  ])('refuses the claims %j: %s', (claims, message) => {
    expect(() => tokens.verify(rawToken(claims))).toThrow(message);
  });

  it('refuses a token whose payload is not a claims object', () => {
    expect(() => tokens.verify(jwt.sign('just a string', SECRET))).toThrow(new InvalidToken('the token carries no claims'));
  });

  it('does not sign a token it would refuse', () => {
    expect(() => tokens.sign({ sub: 'h', role: 'handler' }, { expiresIn: '1h' })).toThrow(InvalidPrincipal);
    expect(() => tokens.sign({ sub: 'h', role: 'handler' }, { expiresIn: '1h' })).toThrow('role handler requires a department');
    expect(() => tokens.sign({ sub: 'a', role: 'admin', scopes: ['two words'] }, { expiresIn: '1h' })).toThrow(/no spaces/);
  });

  it('needs a secret', () => {
    expect(() => new TokenService('')).toThrow();
  });
});

describe('TokenService performance', () => {
  // The budget of the whole API is 0.5 ms of CPU per request per core;
  // verification must be a small part of it. (jsonwebtoken given a string
  // secret takes ~0.6 ms: see the key in TokenService.)
  it('verifies a token in well under 100 µs', () => {
    const tokens = new TokenService('performance-secret');
    const token = tokens.sign({ sub: 'desk-007', role: 'agent', branch: 'ZG' }, { expiresIn: '1h' });
    // best of several batches: a noisy machine slows some, not all
    const batches = Array.from({ length: 5 }, () => {
      const runs = 500;
      const started = process.hrtime.bigint();
      for (let i = 0; i < runs; i++) tokens.verify(token);
      return Number(process.hrtime.bigint() - started) / runs / 1000;
    });
    expect(Math.min(...batches)).toBeLessThan(100);
  });
});

describe('TokenService remembers verified tokens only until they expire', () => {
  afterEach(() => jest.useRealTimers());

  it('refuses a token it verified before once its exp has passed', () => {
    jest.useFakeTimers({ now: new Date('2026-11-27T09:00:00Z') });
    const service = new TokenService('a-secret-long-enough-for-the-tests-0123456789');
    const token = service.sign({ sub: 'desk-007', role: 'agent', branch: 'ZG' }, { expiresIn: 60 });
    expect(service.verify(token).sub).toBe('desk-007');
    expect(service.verify(token).sub).toBe('desk-007');
    jest.setSystemTime(new Date('2026-11-27T09:01:01Z'));
    expect(() => service.verify(token)).toThrow(/expired/);
  });
});

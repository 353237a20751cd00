import { createSecretKey, KeyObject } from 'node:crypto';
import jwt, { JsonWebTokenError, NotBeforeError, TokenExpiredError } from 'jsonwebtoken';
import { Principal, PrincipalToSign } from './principal';
import { ClaimProblem, readPrincipalClaims } from './principal-claims';

/** The token was not accepted; `message` says why, for the 401's `detail`. */
export class InvalidToken extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidToken';
  }
}

/** A token was asked for a principal the server would refuse. */
export class InvalidPrincipal extends Error {
  constructor(readonly problems: readonly ClaimProblem[]) {
    super(`cannot sign a token: ${problems.map((p) => p.message).join('; ')}`);
    this.name = 'InvalidPrincipal';
  }
}

export interface SignOptions {
  /** seconds, or a timespan such as `12h`, `30m`, `7d` */
  expiresIn: NonNullable<jwt.SignOptions['expiresIn']>;
}

// Pinned: accepting the algorithm the token names would let `none` or an
// RS/HS confusion through.
const ALGORITHM = 'HS256';

/**
 * Signs and verifies the API's bearer tokens (JWT, HS256). Verification is
 * synchronous and takes microseconds, so no verdict is cached: a cache keyed
 * by token would outlive expiries and secret rotations.
 */
export class TokenService {
  /**
   * The secret as a KeyObject, made once. Given a string, jsonwebtoken first
   * tries to parse it as a PEM public key on every call and only falls back to
   * a secret key after that throws: about 0.6 ms of CPU per request, which
   * alone would cap the API below 2,000 requests/s per core.
   */
  private readonly key: KeyObject;

  constructor(secret: string) {
    if (secret === '') throw new Error('TokenService needs a non-empty secret');
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  sign(principal: PrincipalToSign, options: SignOptions): string {
    const claims = toClaims(principal);
    const reading = readPrincipalClaims(claims);
    if (!reading.ok) throw new InvalidPrincipal(reading.problems);
    const badScopes = (principal.scopes ?? []).filter((s) => s === '' || /\s/.test(s));
    if (badScopes.length > 0) {
      throw new InvalidPrincipal([{ claim: 'scope', message: 'scopes must be non-empty and contain no spaces' }]);
    }
    return jwt.sign(claims, this.key, { algorithm: ALGORITHM, expiresIn: options.expiresIn });
  }

  /**
   * Tokens already verified, until they expire. A desk sends the same token
   * with every request of a shift; checking its HMAC and claims again each
   * time was a tenth of a registration's CPU. Keyed by the whole token, so a
   * changed claim or signature is a different key; bounded; entries end at
   * the token's own `exp`, and a new secret means a new TokenService.
   */
  private readonly verified = new Map<string, { principal: Principal; expiresAtMs: number }>();

  /** @throws {InvalidToken} for a bad signature, an expired token or a missing or bad claim */
  verify(token: string): Principal {
    const known = this.verified.get(token);
    if (known && Date.now() < known.expiresAtMs) return known.principal;
    if (known) this.verified.delete(token);
    return this.verifyNow(token);
  }

  private verifyNow(token: string): Principal {
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.key, { algorithms: [ALGORITHM] });
    } catch (error) {
      throw new InvalidToken(describeVerifyError(error));
    }
    if (typeof payload === 'string') throw new InvalidToken('the token carries no claims');
    const reading = readPrincipalClaims(payload);
    if (!reading.ok) throw new InvalidToken(`the token is not usable: ${reading.problems.map((p) => p.message).join('; ')}`);
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, { principal: reading.principal, expiresAtMs: typeof payload.exp === 'number' ? payload.exp * 1000 : Number.POSITIVE_INFINITY });
    return reading.principal;
  }
}

/** how many verified tokens are remembered (the oldest is forgotten first) */
const VERIFIED_TOKENS_KEPT = 10_000;

function toClaims(principal: PrincipalToSign): Record<string, unknown> {
  const scopes = principal.scopes ?? [];
  return {
    sub: principal.sub,
    role: principal.role,
    ...(principal.branch !== undefined && { branch: principal.branch }),
    ...(principal.department !== undefined && { department: principal.department }),
    ...(scopes.length > 0 && { scope: scopes.join(' ') }),
  };
}

function describeVerifyError(error: unknown): string {
  if (error instanceof TokenExpiredError) return `the token expired at ${error.expiredAt.toISOString()}`;
  if (error instanceof NotBeforeError) return `the token is not valid before ${error.date.toISOString()}`;
  if (error instanceof JsonWebTokenError) {
    if (error.message === 'invalid signature') return 'the token signature is invalid';
    if (error.message === 'jwt malformed' || error.message.startsWith('invalid token')) return 'the token is malformed';
    return `the token is invalid: ${error.message}`;
  }
  throw error;
}

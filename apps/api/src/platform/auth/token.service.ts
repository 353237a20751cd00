import { createHash, createSecretKey, KeyObject, randomUUID } from 'node:crypto';
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
 * Signs and verifies the API's bearer tokens (JWT, HS256), remembering each
 * verified token until its own expiry (see `verified`), and refusing tokens
 * whose session was signed out.
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
    // a token id of its own: two sessions signed in the same second are two tokens, and one can be signed out alone
    return jwt.sign(claims, this.key, { algorithm: ALGORITHM, expiresIn: options.expiresIn, jwtid: randomUUID() });
  }

  /**
   * Tokens already verified, until they expire. A desk sends the same token
   * with every request of a shift; checking its HMAC and claims again each
   * time was a tenth of a registration's CPU. Keyed by the whole token, so a
   * changed claim or signature is a different key; bounded; entries end at
   * the token's own `exp`, and a new secret means a new TokenService.
   */
  private readonly verified = new Map<string, VerifiedToken>();

  /** the tokens whose session was signed out (none until the sign-in module says where they are kept) */
  private signedOut: { has(digest: string): boolean } | undefined;

  useSignedOutTokens(signedOut: { has(digest: string): boolean }): void {
    this.signedOut = signedOut;
  }

  /** @throws {InvalidToken} for a bad signature, an expired token, a missing or bad claim, or a session signed out */
  verify(token: string): Principal {
    return this.verifiedEntry(token).principal;
  }

  /** what a sign-out records of a token that verifies: its digest and its expiry */
  session(token: string): { digest: string; expiresAt: Date } {
    const entry = this.verifiedEntry(token);
    return { digest: entry.digest, expiresAt: new Date(entry.expiresAtMs) };
  }

  private verifiedEntry(token: string): VerifiedToken {
    let entry = this.verified.get(token);
    if (entry && Date.now() >= entry.expiresAtMs) {
      this.verified.delete(token);
      entry = undefined;
    }
    entry ??= this.verifyNow(token);
    if (this.signedOut?.has(entry.digest)) throw new InvalidToken('this session was signed out; sign in again');
    return entry;
  }

  private verifyNow(token: string): VerifiedToken {
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
    const entry = { principal: reading.principal, expiresAtMs: typeof payload.exp === 'number' ? payload.exp * 1000 : Number.POSITIVE_INFINITY, digest: tokenDigest(token) };
    this.verified.set(token, entry);
    return entry;
  }
}

interface VerifiedToken {
  principal: Principal;
  expiresAtMs: number;
  /** what a sign-out is recorded under */
  digest: string;
}

/** the digest a signed-out token is kept under (the token itself is a credential and is never stored) */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
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

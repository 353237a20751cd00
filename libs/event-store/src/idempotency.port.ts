/**
 * The idempotency-key port: the first response to a request carrying an
 * `Idempotency-Key` is kept, so a repeat returns it and writes nothing more.
 */

export interface StoredResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** a hash of the first request, to refuse the same key reused for a different request */
  requestHash: string;
  /** ISO-8601 */
  createdAt: string;
}

export interface IdempotencyStore {
  /** the response kept for this key, if any; `scope` separates callers (for example the JWT subject) */
  get(scope: string, key: string): Promise<StoredResponse | undefined>;
  /** keeps the response unless the key already has one: the first response wins */
  put(scope: string, key: string, response: StoredResponse): Promise<void>;
  close(): Promise<void>;
}

export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

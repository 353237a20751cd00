import { CallHandler, ExecutionContext, HttpStatus, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { createHash } from 'crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { finalize, from, mergeMap, Observable, of } from 'rxjs';
import { IDEMPOTENCY_STORE, IdempotencyStore } from '@complaints/event-store';
import { ProblemException } from '../platform/http';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
/** Response headers worth replaying with the first response. */
const REPLAYED_HEADERS = ['etag', 'location'];

/**
 * `Idempotency-Key` on a POST: the first response is kept durably (per
 * caller) and a repeat with the same key gets it again, writing nothing
 * more. The same key with a different request is refused (422). Concurrent
 * repeats wait for the first. A crash between the append and keeping the
 * response is covered too: the command derives its ids from the key, so the
 * event store recognises the retry.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(@Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const header = request.headers['idempotency-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (request.method !== 'POST' || key === undefined || !request.principal) return next.handle();
    if (!KEY_PATTERN.test(key)) {
      throw new ProblemException({
        status: HttpStatus.BAD_REQUEST,
        code: 'validation_failed',
        detail: 'Idempotency-Key must be 1 to 200 visible ASCII characters',
        extensions: { errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 200 visible ASCII characters' }] },
      });
    }
    const reply = http.getResponse<FastifyReply>();
    const scope = request.principal.sub;
    const requestHash = createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('base64url');
    const status: number = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const lockKey = `${scope}\n${key}`;

    return from(this.acquire(lockKey)).pipe(
      mergeMap((release) =>
        from(this.store.get(scope, key)).pipe(
          mergeMap((stored) => {
            if (!stored) {
              return next.handle().pipe(
                mergeMap(async (body) => {
                  const headers: Record<string, string> = {};
                  for (const name of REPLAYED_HEADERS) {
                    const value = reply.getHeader(name);
                    if (typeof value === 'string') headers[name] = value;
                  }
                  await this.store.put(scope, key, { status, body, headers, requestHash, createdAt: new Date().toISOString() });
                  return body;
                }),
              );
            }
            if (stored.requestHash !== requestHash) {
              throw new ProblemException({
                status: HttpStatus.UNPROCESSABLE_ENTITY,
                code: 'idempotency_key_reused',
                detail: `Idempotency-Key ${key} was used for a different request; use a new key for a new request`,
              });
            }
            reply.status(stored.status);
            for (const [name, value] of Object.entries(stored.headers ?? {})) reply.header(name, value);
            reply.header('Idempotent-Replayed', 'true');
            return of(stored.body);
          }),
          finalize(release),
        ),
      ),
    );
  }

  /** waits until no request with the same key is in flight, then holds the key until `release` */
  private async acquire(lockKey: string): Promise<() => void> {
    while (this.inFlight.has(lockKey)) await this.inFlight.get(lockKey);
    let resolve!: () => void;
    this.inFlight.set(lockKey, new Promise<void>((r) => (resolve = r)));
    return () => {
      this.inFlight.delete(lockKey);
      resolve();
    };
  }
}

import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createHash } from 'crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IDEMPOTENCY_STORE, IdempotencyStore } from '@complaints/event-store';
import { InvalidToken, TokenService } from '../platform/auth';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
/** Response headers worth replaying with the first response. */
const REPLAYED_HEADERS = ['etag', 'location'] as const;

interface PendingKey {
  scope: string;
  key: string;
  requestHash: string;
  release: () => void;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: PendingKey;
  }
}

function problem(reply: FastifyReply, status: number, code: string, detail: string, errors?: { field: string; message: string }[]) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title: status === 400 ? 'Bad Request' : 'Unprocessable Content', status, detail, code, ...(errors && { errors }) });
}

/**
 * `Idempotency-Key` on a POST under /api: the first successful response is
 * kept durably, per caller, and a repeat with the same key gets it again and
 * writes nothing more; the same key with a different request is refused
 * (422); concurrent repeats wait for the first. A crash between the append
 * and keeping the response is covered too: commands derive their ids from
 * the key, so the event store recognises the retry.
 *
 * Fastify hooks rather than a Nest interceptor: a request without the header
 * costs one header lookup, where a global interceptor cost every request two
 * async-context bindings.
 */
@Injectable()
export class IdempotencyHooks implements OnModuleInit {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    private readonly tokens: TokenService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('preHandler', (request, reply) => this.before(request, reply));
    // callback hooks: a request without the header passes them without a promise
    fastify.addHook('onSend', (request, reply, payload, done) => {
      if (!request.idempotency) return done(null, payload);
      this.keep(request, reply, payload).then(
        () => done(null, payload),
        (error: Error) => done(error),
      );
    });
    fastify.addHook('onResponse', (request, _reply, done) => {
      request.idempotency?.release();
      done();
    });
    fastify.addHook('onRequestAbort', (request, done) => {
      request.idempotency?.release();
      done();
    });
  }

  private async before(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers['idempotency-key'];
    if (header === undefined || request.method !== 'POST' || !request.url.startsWith('/api/')) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY_PATTERN.test(key)) {
      const message = 'must be 1 to 200 visible ASCII characters';
      return void problem(reply, 400, 'validation_failed', `Idempotency-Key ${message}`, [{ field: 'Idempotency-Key', message }]);
    }
    const scope = this.callerOf(request);
    if (scope === undefined) return; // no valid token: the route's guard answers 401
    const requestHash = createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('base64url');

    const release = await this.acquire(`${scope}\n${key}`);
    try {
      const stored = await this.store.get(scope, key);
      if (!stored) {
        request.idempotency = { scope, key, requestHash, release };
        return;
      }
      release();
      if (stored.requestHash !== requestHash) {
        return void problem(reply, 422, 'idempotency_key_reused', `Idempotency-Key ${key} was used for a different request; use a new key for a new request`);
      }
      for (const [name, value] of Object.entries(stored.headers ?? {})) reply.header(name, value);
      reply.header('Idempotent-Replayed', 'true');
      return void reply.code(stored.status).type('application/json; charset=utf-8').send(JSON.stringify(stored.body));
    } catch (error) {
      release();
      throw error;
    }
  }

  /** keeps a successful first response before it is sent, so a repeat can never miss it */
  private async keep(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<void> {
    const pending = request.idempotency;
    if (!pending || reply.statusCode < 200 || reply.statusCode >= 300 || typeof payload !== 'string') return;
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (typeof value === 'string') headers[name] = value;
    }
    await this.store.put(pending.scope, pending.key, {
      status: reply.statusCode,
      body: payload === '' ? null : JSON.parse(payload),
      headers,
      requestHash: pending.requestHash,
      createdAt: new Date().toISOString(),
    });
  }

  private callerOf(request: FastifyRequest): string | undefined {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '');
    if (!match) return undefined;
    try {
      return this.tokens.verify(match[1]).sub;
    } catch (error) {
      if (error instanceof InvalidToken) return undefined;
      throw error;
    }
  }

  /** waits until no request with the same key is in flight, then holds the key until `release` (idempotent) */
  private async acquire(lockKey: string): Promise<() => void> {
    while (this.inFlight.has(lockKey)) await this.inFlight.get(lockKey);
    let resolve!: () => void;
    const held = new Promise<void>((r) => (resolve = r));
    this.inFlight.set(lockKey, held);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight.delete(lockKey);
      resolve();
    };
  }
}

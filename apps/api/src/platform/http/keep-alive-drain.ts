import type { FastifyInstance } from 'fastify';

/**
 * On shutdown Fastify stops routing new requests (503) and closes idle
 * keep-alive connections, but a connection busy with an in-flight request
 * stays open after its answer, until the client's idle timeout (or the
 * server's 72 s keep-alive timeout) ends it, and the process waits for it.
 * Answering with `Connection: close` once closing has begun lets every
 * in-flight request finish and its connection go with it.
 */
export function closeConnectionsAfterInFlightRequests(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}

import { ArgumentsHost, Catch, ExceptionFilter, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../observability/logger.token';
import { PROBLEM_CONTENT_TYPE } from './problem-details';
import { toProblem } from './problem-mapping';

/**
 * The one place an error becomes an HTTP answer. It sees errors thrown by
 * handlers, guards and pipes, unknown routes (Nest's not-found handler) and
 * errors Fastify raises before routing (bad JSON, too large, wrong media type).
 *
 * Client errors are logged at warn, server errors at error with their stack;
 * successful requests are not logged at all (2,000 requests/s would drown
 * everything else).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly log: Logger;

  constructor(@Inject(ROOT_LOGGER) logger: Logger) {
    this.log = logger.child({ component: 'http' });
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();

    const path = request.url.split('?', 1)[0];
    const { body, headers, unexpected } = toProblem(exception, path);

    const fields = { reqId: request.id, method: request.method, path, status: body.status, code: body.code };
    if (body.status >= 500) {
      this.log.error({ ...fields, err: exception }, `${request.method} ${path} failed: ${errorMessage(exception, unexpected)}`);
    } else {
      this.log.warn(fields, `${request.method} ${path} refused with ${body.status}: ${body.detail}`);
    }

    // The answer may already be under way (an error thrown while streaming);
    // a second send would only add a Fastify warning.
    if (reply.sent) return;
    reply.status(body.status).headers(headers).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }
}

function errorMessage(exception: unknown, unexpected: boolean): string {
  if (exception instanceof Error) return unexpected ? `${exception.name}: ${exception.message}` : exception.message;
  return String(exception);
}

import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError } from '@complaints/domain/shared/domain-error';
import { ABOUT_BLANK, genericCode, ProblemDetails, statusTitle } from './problem-details';
import { ProblemException } from './problem.exception';

export interface MappedProblem {
  body: ProblemDetails;
  headers: Record<string, string>;
  /** true for anything that is not a deliberate HTTP answer: a bug or an outage, to be logged with its stack */
  unexpected: boolean;
}

/** What a 500 says. Nothing from the error itself: messages of unexpected errors may carry internals. */
export const INTERNAL_ERROR_DETAIL = 'An unexpected error occurred. It has been logged.';

/** Maps anything thrown while serving a request to its problem+json answer. */
export function toProblem(exception: unknown, instance?: string): MappedProblem {
  if (exception instanceof ProblemException) {
    const { status, detail, code, extensions, headers } = exception.problem;
    return {
      body: { ...problem(status, detail, code ?? genericCode(status), instance), ...extensions },
      headers: { ...headers },
      unexpected: false,
    };
  }

  if (exception instanceof DomainError) {
    const status = domainStatus(exception);
    return { body: problem(status, exception.reason, exception.code, instance), headers: {}, unexpected: false };
  }

  if (exception instanceof HttpException) {
    // Nest's own exceptions, and Fastify's (malformed JSON 400, 413, 415),
    // which Nest wraps into HttpException before the filter sees them.
    const status = exception.getStatus();
    if (status === HttpStatus.INTERNAL_SERVER_ERROR) return internalError(instance, false);
    const headers: Record<string, string> = status === HttpStatus.UNAUTHORIZED ? { 'WWW-Authenticate': 'Bearer' } : {};
    return { body: problem(status, httpExceptionDetail(exception), genericCode(status), instance), headers, unexpected: false };
  }

  return internalError(instance, true);
}

function domainStatus(error: DomainError): number {
  switch (error.kind) {
    case 'refused':
      return HttpStatus.CONFLICT;
    case 'not_found':
      return HttpStatus.NOT_FOUND;
    default: {
      const unknownKind: never = error.kind;
      throw new Error(`unmapped domain error kind ${String(unknownKind)}`);
    }
  }
}

function internalError(instance: string | undefined, unexpected: boolean): MappedProblem {
  const status = HttpStatus.INTERNAL_SERVER_ERROR;
  return { body: problem(status, INTERNAL_ERROR_DETAIL, genericCode(status), instance), headers: {}, unexpected };
}

function problem(status: number, detail: string, code: string, instance: string | undefined): ProblemDetails {
  const body: ProblemDetails = { type: ABOUT_BLANK, title: statusTitle(status), status, detail, code };
  if (instance !== undefined) body.instance = instance;
  return body;
}

/** Nest's exceptions carry a string, `{ message }`, or `{ message: string[] }`. */
function httpExceptionDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return statusTitle(exception.getStatus());
}

import { HttpException, HttpStatus } from '@nestjs/common';
import { FieldError } from './problem-details';

export interface ProblemInit {
  status: number;
  /** for a person; becomes the problem's `detail` */
  detail: string;
  /** machine-readable; defaults to the generic code of the status */
  code?: string;
  /** extension members added to the body, e.g. `{ currentRevision: 7 }` */
  extensions?: Record<string, unknown>;
  /** response headers, e.g. `ETag` of a 412 */
  headers?: Record<string, string>;
}

/**
 * An error that already knows its problem+json rendering. It extends Nest's
 * HttpException so that Nest's own default filter still answers with the
 * right status should a test module run without ours.
 */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemInit) {
    super(problem.detail, problem.status);
    this.name = new.target.name;
  }
}

/** 404: no such resource, or one outside the caller's scope (not told apart, on purpose). */
export class ResourceNotFound extends ProblemException {
  constructor(detail: string, code = 'not_found') {
    super({ status: HttpStatus.NOT_FOUND, detail, code });
  }
}

/** 403: the caller is known but may not do this. */
export class Forbidden extends ProblemException {
  constructor(detail: string, code = 'forbidden') {
    super({ status: HttpStatus.FORBIDDEN, detail, code });
  }
}

/** 401: no token, or one that is not valid. */
export class Unauthenticated extends ProblemException {
  constructor(detail: string) {
    super({ status: HttpStatus.UNAUTHORIZED, detail, code: 'unauthenticated', headers: { 'WWW-Authenticate': 'Bearer' } });
  }
}

/**
 * 412: the `If-Match` revision is stale. The body carries `currentRevision`
 * and the response the current `ETag`, so a client can re-read and retry.
 */
export class PreconditionFailed extends ProblemException {
  constructor(
    readonly currentRevision: number,
    detail = `the resource has changed: it is at revision ${currentRevision}`,
  ) {
    super({
      status: HttpStatus.PRECONDITION_FAILED,
      detail,
      code: 'precondition_failed',
      extensions: { currentRevision },
      headers: { ETag: `"${currentRevision}"` },
    });
  }
}

/** 400 naming every offending field; thrown by the global ValidationPipe. */
export class RequestValidationFailed extends ProblemException {
  constructor(readonly errors: FieldError[]) {
    const count = errors.length === 1 ? '1 field is' : `${errors.length} fields are`;
    super({ status: HttpStatus.BAD_REQUEST, detail: `the request is invalid: ${count} wrong`, code: 'validation_failed', extensions: { errors } });
  }
}

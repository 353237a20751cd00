import { STATUS_CODES } from 'node:http';

/** RFC 9457 media type of every error response. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/**
 * `about:blank` says the problem means no more than its HTTP status (RFC 9457
 * §4.2.1); finer distinctions travel in the `code` extension, which is stable
 * and machine-readable (`validation_failed`, `work_order.already_replied`).
 */
export const ABOUT_BLANK = 'about:blank';

export interface FieldError {
  /** dotted path into the request, `[i]` for array items: `customer.msisdn`, `items[0].name` */
  field: string;
  message: string;
}

/** The body of every error response (RFC 9457), plus our extension members. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** the request path the problem occurred on (no query string: it may carry personal data) */
  instance?: string;
  /** machine-readable reason: a domain code, or the generic one of the status */
  code?: string;
  /** every offending field of a 400 */
  errors?: FieldError[];
  /** further extension members, e.g. `currentRevision` of a 412 */
  [extension: string]: unknown;
}

export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

const GENERIC_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
  500: 'internal_error',
  503: 'unavailable',
};

export function genericCode(status: number): string {
  return GENERIC_CODES[status] ?? (status >= 500 ? 'server_error' : 'client_error');
}

import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError } from '@complaints/domain/shared/domain-error';

export const COMMAND_OUTCOMES = ['ok', 'refused', 'conflict', 'invalid', 'forbidden', 'not_found', 'error'] as const;

/** The `outcome` label of `complaints_commands_total`. */
export type CommandOutcome = (typeof COMMAND_OUTCOMES)[number];

/**
 * The outcome of a command that threw, for the metrics: a domain refusal, a
 * stale revision, bad input and so on are answers, `error` is a failure.
 * Errors the platform does not know (e.g. the event store's own conflict
 * error) count as `error`; classify them before calling this.
 */
export function commandOutcomeOf(error: unknown): CommandOutcome {
  if (error instanceof DomainError) return error.kind === 'refused' ? 'refused' : 'not_found';
  if (!(error instanceof HttpException)) return 'error';
  switch (error.getStatus()) {
    case HttpStatus.BAD_REQUEST:
      return 'invalid';
    case HttpStatus.FORBIDDEN:
      return 'forbidden';
    case HttpStatus.NOT_FOUND:
      return 'not_found';
    case HttpStatus.CONFLICT:
    case HttpStatus.PRECONDITION_FAILED:
      return 'conflict';
    default:
      return 'error';
  }
}

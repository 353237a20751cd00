/**
 * Refusals of the domain. A decider throws these instead of returning events;
 * the HTTP edge maps {@link CommandRefused} to 409 and {@link NotFound} to 404,
 * with `reason` as the problem's `detail`, so `reason` is written for a person.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: 'refused' | 'not_found';

  protected constructor(
    /** stable, machine-readable: `work_order.already_replied` */
    readonly code: string,
    /** for a person: "work order W1 is already answered" */
    readonly reason: string,
  ) {
    super(reason);
    this.name = new.target.name;
  }
}

/** The command is not allowed in the current state. */
export class CommandRefused extends DomainError {
  readonly kind = 'refused' as const;

  constructor(code: string, reason: string) {
    super(code, reason);
  }
}

/** The command addresses something that does not exist. */
export class NotFound extends DomainError {
  readonly kind = 'not_found' as const;

  constructor(code: string, reason: string) {
    super(code, reason);
  }
}

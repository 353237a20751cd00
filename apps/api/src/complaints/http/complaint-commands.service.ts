import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Clock, CLOCK } from '@complaints/application';
import { WorkingDayCalendar } from '@complaints/domain/calendar/working-days';
import { WORKING_DAY_CALENDAR } from '../../calendar/calendar.module';
import { CommandContext, ComplaintCommand, ComplaintCommandType, ComplaintState } from '@complaints/domain';
import type { FastifyRequest } from 'fastify';
import { Principal } from '../../platform/auth';
import { ProblemException } from '../../platform/http';
import { CommandIdentity } from '../complaint-ids';
import { ComplaintCommandResult, RunComplaintCommand } from '../run-complaint-command';

type DataOf<T extends ComplaintCommandType> = Extract<ComplaintCommand, { type: T }>['data'];

/** `If-Match: "7"` (quotes and a weak prefix tolerated) → 7. */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(value);
  if (!match) {
    throw new ProblemException({
      status: 400,
      code: 'validation_failed',
      detail: 'If-Match must be the ETag of a complaint, such as "3"',
      extensions: { errors: [{ field: 'If-Match', message: 'must be a revision such as "3"' }] },
    });
  }
  return Number(match[1]);
}

function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  return Array.isArray(header) ? header[0] : header;
}

/** The identity of a command from the caller and the request's Idempotency-Key (every command endpoint uses this one). */
export function commandIdentity(principal: Principal, request: FastifyRequest): CommandIdentity {
  return CommandIdentity.fromIdempotencyKey(principal.sub, idempotencyKeyOf(request));
}

/**
 * What every command endpoint does the same way: the time from the injected
 * clock, the identity from the Idempotency-Key, the revision from If-Match,
 * then the command bus.
 */
@Injectable()
export class ComplaintCommands {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WORKING_DAY_CALENDAR) private readonly calendar: WorkingDayCalendar,
  ) {}

  identity(principal: Principal, request: FastifyRequest): CommandIdentity {
    return commandIdentity(principal, request);
  }

  run<T extends ComplaintCommandType>(
    type: T,
    principal: Principal,
    request: FastifyRequest,
    complaintId: string,
    data: (state: ComplaintState) => DataOf<T>,
    options: { identity?: CommandIdentity; workOrderId?: string } = {},
  ): Promise<ComplaintCommandResult> {
    const now = this.clock.now().toISOString();
    const context: CommandContext = { now, actor: principal.sub, calendar: this.calendar };
    const build = (state: ComplaintState) => ({ type, data: data(state), context }) as ComplaintCommand;
    return this.commandBus.execute<RunComplaintCommand, ComplaintCommandResult>(
      new RunComplaintCommand(type, principal, complaintId, build, {
        identity: options.identity ?? this.identity(principal, request),
        now,
        ifMatch: parseIfMatch(request.headers['if-match']),
        workOrderId: options.workOrderId,
      }),
    );
  }
}

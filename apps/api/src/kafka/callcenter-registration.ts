import { HttpException, Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Clock, CLOCK } from '@complaints/application';
import { ComplaintCommand, DomainError } from '@complaints/domain';
import { Principal } from '../platform/auth';
import { CommandIdentity } from '../complaints/complaint-ids';
import { RepeatComplainants } from '../complaints/repeat-complainants';
import { ComplaintCommandResult, RunComplaintCommand } from '../complaints/run-complaint-command';
import { CallCenterComplaintMessage } from './callcenter-complaint.message';

/** The 10086 consumer acts as the call-center system: the `callcenter` role, and this actor on its events. */
export const CALLCENTER_SYSTEM: Principal = { sub: 'system:callcenter-10086', role: 'callcenter', scopes: [] };

export type RegistrationOutcome =
  | { kind: 'registered'; complaintId: string; position?: number }
  /** the ticket was registered before: a redelivery, nothing written */
  | { kind: 'duplicate'; complaintId: string }
  /** the command was refused (a domain rule, a role, a 4xx): the message goes to the DLQ */
  | { kind: 'refused'; complaintId: string; error: string };

/**
 * Registers a 10086 ticket through the command path of `POST /api/complaints`.
 *
 * The ticket number is the command's idempotency key: the complaint id and
 * the event ids derive from it (as from an Idempotency-Key), so a redelivered
 * ticket, however much later and whatever happened in between, is recognised
 * by the pipeline from the event log itself and writes nothing. The log is the
 * durable dedupe table; there is no second store to keep in step with it.
 */
@Injectable()
export class CallCenterRegistration {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly repeatComplainants: RepeatComplainants,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  complaintIdOf(ticketNo: string): string {
    return CommandIdentity.fromIdempotencyKey(CALLCENTER_SYSTEM.sub, ticketNo).newId('complaint');
  }

  /** Resolves once the registration is committed (or found committed before); throws only on a failure worth retrying. */
  async register(message: CallCenterComplaintMessage): Promise<RegistrationOutcome> {
    const identity = CommandIdentity.fromIdempotencyKey(CALLCENTER_SYSTEM.sub, message.ticketNo);
    const complaintId = identity.newId('complaint');
    const now = this.clock.now();
    const at = now.toISOString();
    try {
      const priorComplaints = await this.repeatComplainants.countBefore(message.customer.msisdn, now, complaintId);
      const command: ComplaintCommand = {
        type: 'RegisterComplaint',
        data: {
          complaintId,
          channel: message.channel,
          externalRef: message.ticketNo,
          customer: {
            msisdn: message.customer.msisdn,
            name: message.customer.name,
            vip: message.customer.vip ?? false,
            groupCustomer: message.customer.groupCustomer ?? false,
            accountType: message.customer.accountType ?? 'personal',
          },
          branch: message.branch,
          category: message.category,
          subcategory: message.subcategory,
          description: message.description,
          priorComplaints,
        },
        context: { now: at, actor: CALLCENTER_SYSTEM.sub },
      };
      const result = await this.commandBus.execute<RunComplaintCommand, ComplaintCommandResult>(
        new RunComplaintCommand('RegisterComplaint', CALLCENTER_SYSTEM, complaintId, () => command, { identity, now: at }),
      );
      return result.replayed ? { kind: 'duplicate', complaintId } : { kind: 'registered', complaintId };
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal === undefined) throw error;
      return { kind: 'refused', complaintId, error: refusal };
    }
  }
}

/** Why a command was refused, for the DLQ's `error` header; undefined for a failure (I/O, a bug) that a retry may get past. */
export function refusalOf(error: unknown): string | undefined {
  if (error instanceof DomainError) return `refused: ${error.reason} (${error.code})`;
  if (error instanceof HttpException && error.getStatus() >= 400 && error.getStatus() < 500 && error.getStatus() !== 409) {
    return `refused (${error.getStatus()}): ${error.message}`;
  }
  return undefined;
}

import { Inject } from '@nestjs/common';
import { CommandHandler, ICommand, ICommandHandler } from '@nestjs/cqrs';
import { CommandPipeline, ConcurrencyConflictError, StaleRevisionError } from '@complaints/application';
import { ComplaintCase, ComplaintCommand, ComplaintCommandType, complaintDecider, ComplaintEvent, ComplaintState, Decider, PoliciesInForce } from '@complaints/domain';
import { EVENT_STORE, EventStore } from '@complaints/event-store';
import { Principal } from '../platform/auth';
import { Forbidden, PreconditionFailed, ProblemException, ResourceNotFound } from '../platform/http';
import { CommandOutcome, commandOutcomeOf, MetricsService } from '../platform/observability';
import { canSee, holdsWorkOrderNow, mayRun } from './complaint-access.policy';
import { complaintStreamId, CommandIdentity } from './complaint-ids';
import { COMPLAINT_POLICIES } from './complaint-policy.provider';

/** A command on a complaint's stream, as the HTTP edge (or the 10086 consumer) hands it over. */
export class RunComplaintCommand implements ICommand {
  constructor(
    readonly type: ComplaintCommandType,
    readonly principal: Principal,
    readonly complaintId: string,
    /** builds the domain command from the current state (e.g. the next work-order number) */
    readonly build: (state: ComplaintState) => ComplaintCommand,
    readonly options: { identity: CommandIdentity; now: string; ifMatch?: number; workOrderId?: string },
  ) {}
}

export interface ComplaintCommandResult {
  complaint: ComplaintCase;
  revision: number;
  events: ComplaintEvent[];
  /** the command had been applied before (a retry with the same ids): `events` are the earlier ones, nothing was written now */
  replayed: boolean;
}

/** How many times a command is decided again when another writer changed the complaint first. */
const RETRIES_ON_CONFLICT = 3;

/**
 * The thin adapter between @nestjs/cqrs and the one command pipeline: the
 * role check (403), the scope check (404, or 403 for a work order held by
 * another department), the If-Match check (412), metrics.
 */
@CommandHandler(RunComplaintCommand)
export class RunComplaintCommandHandler implements ICommandHandler<RunComplaintCommand, ComplaintCommandResult> {
  private readonly pipeline: CommandPipeline;
  private readonly decider: Decider<ComplaintState, ComplaintCommand, ComplaintEvent>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(COMPLAINT_POLICIES) policies: PoliciesInForce,
    private readonly metrics: MetricsService,
  ) {
    this.decider = complaintDecider(policies.current, policies.book);
    this.pipeline = new CommandPipeline(store, { appended: (seconds) => metrics.observeAppend(seconds) });
  }

  async execute(command: RunComplaintCommand): Promise<ComplaintCommandResult> {
    const started = process.hrtime.bigint();
    let outcome: CommandOutcome = 'ok';
    try {
      return await this.run(command);
    } catch (error) {
      outcome = commandOutcomeOf(error);
      throw error;
    } finally {
      this.metrics.recordCommand(command.type, outcome, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private async run(command: RunComplaintCommand): Promise<ComplaintCommandResult> {
    const { principal, complaintId, options } = command;
    if (!mayRun(principal, command.type)) {
      throw new Forbidden(`the ${principal.role} role may not ${describe(command.type)}`);
    }
    try {
      const result = await this.pipeline.execute({
        streamId: complaintStreamId(complaintId),
        decider: this.decider,
        command: command.build,
        expectedRevision: options.ifMatch,
        retries: options.ifMatch === undefined ? RETRIES_ON_CONFLICT : 0,
        // a registration creates its complaint's stream under an id made for it: nothing to read first
        expectNew: command.type === 'RegisterComplaint',
        eventIds: options.identity.eventId,
        metadata: { actor: principal.sub, role: principal.role, occurredAt: options.now },
        authorize: (state) => {
          if (!canSee(principal, state, options.workOrderId)) {
            throw new ResourceNotFound(options.workOrderId ? `work order ${options.workOrderId} does not exist` : `complaint ${complaintId} does not exist`);
          }
          if (options.workOrderId && !holdsWorkOrderNow(principal, state, options.workOrderId)) {
            throw new Forbidden(`work order ${options.workOrderId} is held by another department now`);
          }
        },
      });
      if (result.state.status === 'none') throw new Error(`complaint ${complaintId} has no state after ${command.type}`);
      return { complaint: result.state, revision: result.revision, events: result.events, replayed: result.replayed };
    } catch (error) {
      if (error instanceof StaleRevisionError) {
        throw new PreconditionFailed(error.actual, `complaint ${complaintId} changed since revision ${error.expected}; it is at revision ${error.actual} now`);
      }
      if (error instanceof ConcurrencyConflictError) {
        throw new ProblemException({ status: 409, code: 'concurrent_update', detail: `complaint ${complaintId} kept changing under this request; read it again and retry` });
      }
      throw error;
    }
  }
}

function describe(type: ComplaintCommandType): string {
  return type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

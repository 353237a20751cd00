import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { Clock, CLOCK } from '@complaints/application';
import { ClockKind, ComplaintCommand, Deadline, DeadlineMark } from '@complaints/domain';
import { Principal } from '../platform/auth';
import { ROOT_LOGGER } from '../platform/observability';
import { CommandIdentity } from '../complaints/complaint-ids';
import { ComplaintCommandResult, RunComplaintCommand } from '../complaints/run-complaint-command';
import { ReadModelsReader } from '../queries/read-models.reader';

/** The scheduler acts as the system, not as a person: its events carry this actor. */
export const SCHEDULER: Principal = { sub: 'system:scheduler', role: 'admin', scopes: [] };

/** deadlines taken from the table at a time */
const PAGE = 500;
/** FireDeadline commands in flight at once (different complaints group-commit together) */
const IN_FLIGHT = 32;

export interface DeadlineSchedulerOptions {
  /** how often the table is looked at; 0 = once at start-up, then only when asked (the test clock) */
  intervalMs: number;
}

export const DEADLINE_SCHEDULER_OPTIONS = Symbol('DEADLINE_SCHEDULER_OPTIONS');

/**
 * Fires every deadline whose time has come, from the table the complaints
 * projection keeps of pending deadlines. Driven by the log, not by timers
 * held in memory: a deadline that came due while the server was down is in
 * the table at start-up and fires then, once. Firing is a command whose event
 * ids derive from the deadline's id, and the decider fires only what is still
 * pending, so a retry, a second scheduler or a stale row writes nothing more.
 */
@Injectable()
export class DeadlineScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = false;

  constructor(
    private readonly readModels: ReadModelsReader,
    private readonly commandBus: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(DEADLINE_SCHEDULER_OPTIONS) private readonly options: DeadlineSchedulerOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.intervalMs <= 0) {
      // what came due while the server was down fires now, once, also on the test clock
      this.fireDue().catch((error: unknown) => this.logger.error({ err: error }, 'deadline scheduler: the start-up round failed'));
      return;
    }
    const tick = () => {
      this.fireDue()
        .catch((error: unknown) => this.logger.error({ err: error }, 'deadline scheduler: a round failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs);
        });
    };
    tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Fires everything due now, including what firing makes due; resolves with how many fired. One round at a time. */
  fireDue(): Promise<number> {
    const previous = this.running ?? Promise.resolve(0);
    const round = previous.catch(() => 0).then(() => this.round());
    this.running = round;
    return round;
  }

  private async round(): Promise<number> {
    const tried = new Set<string>();
    let fired = 0;
    for (;;) {
      const now = this.clock.now();
      const db = await this.readModels.fresh();
      const rows = await db.selectFrom('deadlines').selectAll().where('fire_at', '<=', now.toISOString()).orderBy('fire_at').orderBy('id').limit(PAGE + tried.size).execute();
      const due = rows.filter((row) => !tried.has(row.id));
      if (due.length === 0) return fired;
      for (let i = 0; i < due.length; i += IN_FLIGHT) {
        const wave = due.slice(i, i + IN_FLIGHT);
        for (const row of wave) tried.add(row.id);
        const results = await Promise.allSettled(
          wave.map((row) =>
            this.fire(
              { id: row.id, complaintId: row.complaint_id, clock: row.clock as ClockKind, subject: row.subject, mark: row.mark as DeadlineMark, startedAt: '', dueAt: row.due_at, fireAt: row.fire_at },
              now,
            ),
          ),
        );
        results.forEach((result, index) => {
          if (result.status === 'fulfilled') fired += result.value ? 1 : 0;
          else this.logger.error({ err: result.reason, deadline: wave[index].id }, 'deadline scheduler: firing failed; it stays pending');
        });
      }
    }
  }

  private async fire(deadline: Deadline, now: Date): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.commandBus.execute<RunComplaintCommand, ComplaintCommandResult>(
      new RunComplaintCommand(
        'FireDeadline',
        SCHEDULER,
        deadline.complaintId,
        () => ({ type: 'FireDeadline', data: { complaintId: deadline.complaintId, deadline }, context: { now: at, actor: SCHEDULER.sub } }) as ComplaintCommand,
        { identity: CommandIdentity.fromIdempotencyKey(SCHEDULER.sub, deadline.id), now: at },
      ),
    );
    return result.events.length > 0 && !result.replayed;
  }
}

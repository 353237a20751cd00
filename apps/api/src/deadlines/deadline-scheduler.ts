import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { Clock, CLOCK } from '@complaints/application';
import { ClockKind, ComplaintCommand, Deadline, DeadlineMark } from '@complaints/domain';
import { Principal } from '../platform/auth';
import { ROOT_LOGGER } from '../platform/observability';
import { LeaseHandle, LEASES, Leases } from '../cluster/leases';
import { CommandIdentity } from '../complaints/complaint-ids';
import { ComplaintCommandResult, RunComplaintCommand } from '../complaints/run-complaint-command';
import { ReadModelsReader } from '../queries/read-models.reader';
import type { Selectable } from 'kysely';
import type { DeadlinesTable } from '@complaints/read-models/projections';

type DeadlineRow = Selectable<DeadlinesTable>;

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

export const DEADLINE_SCHEDULER_LEASE = 'deadline-scheduler';

/**
 * Fires every deadline whose time has come, from the table the complaints
 * projection keeps of pending deadlines. Driven by the log, not by timers
 * held in memory: a deadline that came due while the server was down is in
 * the table at start-up and fires then, once. Firing is a command whose event
 * ids derive from the deadline's id, and the decider fires only what is still
 * pending, so a retry, a second scheduler or a stale row writes nothing more.
 *
 * Several instances: the rounds run on the one holding the lease
 * `deadline-scheduler`; another takes over (starting with a round: what came
 * due meanwhile fires then) when it dies. `fireDue()` asked for directly (the
 * test clock) fires on any instance.
 */
@Injectable()
export class DeadlineScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = true;
  /** counts the starts: a round of an earlier run that ends after a stop and a new start schedules nothing */
  private runs = 0;
  private lease?: LeaseHandle;

  constructor(
    private readonly readModels: ReadModelsReader,
    private readonly commandBus: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(DEADLINE_SCHEDULER_OPTIONS) private readonly options: DeadlineSchedulerOptions,
    @Optional() @Inject(LEASES) private readonly leases?: Leases,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.leases) return this.start();
    this.lease = await this.leases.hold(DEADLINE_SCHEDULER_LEASE, { start: () => this.start(), stop: () => this.stop() });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.lease?.release();
    await this.stop();
  }

  /** Runs the rounds here (this instance holds the lease). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const run = ++this.runs;
    const current = () => !this.stopped && this.runs === run;
    if (this.options.intervalMs <= 0) {
      // what came due while the server (or the lease's last holder) was down fires now, once, also on the test clock
      this.fireDue(current).catch((error: unknown) => this.logger.error({ err: error }, 'deadline scheduler: the start-up round failed'));
      return;
    }
    const tick = () => {
      if (!current()) return;
      this.fireDue(current)
        .catch((error: unknown) => this.logger.error({ err: error }, 'deadline scheduler: a round failed'))
        .then(() => this.delayUntilNext())
        .catch(() => this.options.intervalMs)
        .then((delay) => {
          if (current()) this.timer = setTimeout(tick, delay);
        });
    };
    tick();
  }

  /** Stops the rounds; resolves once the round in flight is over. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /**
   * How long to sleep after a round: until the next deadline in the table
   * comes due, so it fires on time rather than up to an interval late, but at
   * most the interval (deadlines written since, by this process or another,
   * are found by then).
   */
  private async delayUntilNext(): Promise<number> {
    const now = this.clock.now();
    const next = await (await this.readModels.fresh())
      .selectFrom('deadlines')
      .select('fire_at')
      .where('fire_at', '>', now.toISOString())
      .orderBy('fire_at')
      .limit(1)
      .executeTakeFirst();
    if (!next) return this.options.intervalMs;
    return Math.max(0, Math.min(this.options.intervalMs, Date.parse(next.fire_at) - now.getTime()));
  }

  /** Fires everything due now, including what firing makes due; resolves with how many fired. One round at a time. */
  fireDue(whileTrue: () => boolean = () => true): Promise<number> {
    const previous = this.running ?? Promise.resolve(0);
    const round = previous.catch(() => 0).then(() => this.round(whileTrue));
    this.running = round;
    return round;
  }

  /** `whileTrue`: a round of the lease holder ends early when the lease is lost (the next holder goes on) */
  private async round(whileTrue: () => boolean): Promise<number> {
    const tried = new Set<string>();
    let fired = 0;
    for (;;) {
      if (!whileTrue()) return fired;
      const now = this.clock.now();
      const db = await this.readModels.fresh();
      const rows = await db.selectFrom('deadlines').selectAll().where('fire_at', '<=', now.toISOString()).orderBy('fire_at').orderBy('id').limit(PAGE + tried.size).execute();
      const due = rows.filter((row) => !tried.has(row.id));
      if (due.length === 0) return fired;
      // One complaint's deadlines fire one after another (each changes its stream, so firing them together would
      // only make them retry against each other); different complaints fire IN_FLIGHT at a time.
      const byComplaint = new Map<string, typeof due>();
      for (const row of due) {
        tried.add(row.id);
        const list = byComplaint.get(row.complaint_id);
        if (list) list.push(row);
        else byComplaint.set(row.complaint_id, [row]);
      }
      const complaints = [...byComplaint.values()];
      for (let i = 0; i < complaints.length; i += IN_FLIGHT) {
        const counts = await Promise.all(complaints.slice(i, i + IN_FLIGHT).map((rowsOfOne) => this.fireInOrder(rowsOfOne, now)));
        for (const count of counts) fired += count;
      }
    }
  }

  /** the due deadlines of one complaint, in order; a failure is logged and the deadline stays pending (the next round tries again) */
  private async fireInOrder(rows: readonly DeadlineRow[], now: Date): Promise<number> {
    let fired = 0;
    for (const row of rows) {
      const deadline: Deadline = {
        id: row.id,
        complaintId: row.complaint_id,
        clock: row.clock as ClockKind,
        subject: row.subject,
        mark: row.mark as DeadlineMark,
        startedAt: '',
        dueAt: row.due_at,
        fireAt: row.fire_at,
      };
      try {
        if (await this.fire(deadline, now)) fired++;
      } catch (error) {
        this.logger.error({ err: error, deadline: row.id }, 'deadline scheduler: firing failed; it stays pending');
      }
    }
    return fired;
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

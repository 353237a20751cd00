import { INestApplicationContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Clock, CLOCK, ManualClock } from '@complaints/application';
import { CommandContext, ComplaintCase, ComplaintCommand, ComplaintEvent, ComplaintPolicy } from '@complaints/domain';
import { EVENT_STORE, EventStore } from '@complaints/event-store';
import { CommandIdentity, complaintStreamId } from '../complaints/complaint-ids';
import { COMPLAINT_POLICY } from '../complaints/complaint-policy.provider';
import { ComplaintCommandResult, RunComplaintCommand } from '../complaints/run-complaint-command';
import { Principal } from '../platform/auth';
import { ComplaintLife, Life, Step } from './complaint-life';
import { complaintsOfDay, CustomerPool } from './demo-intake';
import { DemoStaff } from './demo-staff';
import { Rng } from './prng';
import { DAY, formatShanghai } from './sim-time';

export interface DemoRunOptions {
  days: number;
  perDay: number;
  seed: string;
  /** 00:00 Asia/Shanghai of the first simulated day, ms since the epoch */
  start: number;
  /** commands in flight at once, across different complaints (default 32) */
  maxInFlight?: number;
  /** stops after the current instant's commands */
  signal?: AbortSignal;
  onProgress?: (progress: DemoProgress) => void;
  /** wall-clock ms between progress reports (default 100) */
  progressIntervalMs?: number;
}

export interface DemoProgress {
  /** the simulated now */
  at: number;
  /** simulated days elapsed, fractional */
  daysElapsed: number;
  complaints: number;
  events: number;
  commands: number;
}

export interface DemoSummary {
  seed: string;
  start: number;
  /** the end of the simulated period */
  end: number;
  /** where the simulation stopped: `end`, or the simulated time of an interruption */
  stoppedAt: number;
  days: number;
  perDay: number;
  complaints: number;
  commands: number;
  /** the events the commands wrote */
  events: number;
  eventsByType: Record<string, number>;
  byChannel: Record<string, number>;
  byCategory: Record<string, number>;
  byStatus: Record<string, number>;
  /** work-order replies, and those after their hop's replyDueAt */
  replies: { total: number; late: number; unresolved: number };
  refunds: { requested: number; verifiedLate: number; rejected: number; billCredit: number; cash: number };
  escalations: { customerUnsatisfied: number; manual: number };
  /** callback attempts (回访) by outcome; an unsatisfied one reopens the complaint */
  callbacks: { satisfied: number; unreachable: number; unsatisfied: number };
  /** complaints registered with a raised level because the number complained twice before within the window */
  repeatComplaints: number;
  /** complaints with steps still to come when the simulation stopped (not yet admitted days not counted) */
  openAtEnd: number;
  interrupted: boolean;
}

/** A step the domain or the access rules refused: a bug in the demo's script, never skipped silently. */
export class DemoStepError extends Error {
  constructor(
    readonly complaintNo: number,
    readonly step: Step,
    override readonly cause: unknown,
  ) {
    const what = step.kind === 'register' ? 'RegisterComplaint' : `${step.type} on ${step.complaintId}`;
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`demo complaint no. ${complaintNo}: ${what} by ${step.principal.sub} at ${formatShanghai(step.at, true)} (Asia/Shanghai) was refused: ${why}`);
    this.name = 'DemoStepError';
  }
}

/** The store already holds complaints of this very run: the same seed, start and rate write the same complaints. */
export class DemoAlreadyInStoreError extends Error {
  constructor(complaintId: string, runKey: string) {
    super(
      `the event store already holds complaint ${complaintId} of this run (${runKey}): the same --seed, --start and --per-day ` +
        'write the same complaints. Choose another --seed or --start to add a different history.',
    );
    this.name = 'DemoAlreadyInStoreError';
  }
}

interface Pending {
  no: number;
  /** the step's number within its complaint: part of its idempotency key */
  seq: number;
  step: Step;
  life: Life;
}

/** Pending steps by simulated time, then by complaint number: a total order, so the run does not depend on completion order. */
class StepQueue {
  private readonly heap: Pending[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): Pending | undefined {
    return this.heap[0];
  }

  push(item: Pending): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  pop(): Pending | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l], heap[m])) m = l;
        if (r < heap.length && before(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Pending, b: Pending): boolean {
  return a.step.at < b.step.at || (a.step.at === b.step.at && a.no < b.no);
}

const increment = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

/**
 * Simulated complaint traffic through the real command pipeline: a small
 * discrete-event simulation. Each complaint's life yields its steps one by
 * one; pending steps wait in a queue ordered by simulated time. The runner
 * moves the application's ManualClock to the earliest pending instant and
 * runs every step due then (up to `maxInFlight` at once, at most one per
 * complaint), waits for all of them, and only then moves on: the clock only
 * moves forward and every event carries the simulated time.
 *
 * Commands are built exactly as ComplaintCommands.run builds them, with an
 * identity derived from the seed, the start date, the daily rate, the
 * complaint number and the step number (as an Idempotency-Key would): the
 * same seed gives the same complaint ids, event ids, events, and order in the
 * log, however many commands run at once. More days only extend a history:
 * the first days of a longer run are those of a shorter one.
 */
export class DemoRunner {
  private readonly clock: ManualClock;
  private readonly bus: CommandBus;
  private readonly store: EventStore;
  /** registration times by MSISDN, of this run: the repeat-complainant count */
  private readonly registrations = new Map<string, number[]>();
  private readonly policy: ComplaintPolicy;
  private readonly staff = new DemoStaff();
  private readonly customers = new CustomerPool();
  private readonly queue = new StepQueue();
  /** where each complaint stands, kept small: a long run has hundreds of thousands */
  private readonly states = new Map<number, Pick<ComplaintCase, 'channel' | 'category' | 'status'>>();
  private readonly runKey: string;
  private readonly intakeRng: Rng;
  private readonly end: number;
  private nextDay = 0;
  private nextNo = 1;
  private commands = 0;
  private events = 0;
  private readonly summary: DemoSummary;

  constructor(
    app: INestApplicationContext,
    private readonly options: DemoRunOptions,
  ) {
    const clock = app.get<Clock>(CLOCK);
    if (!(clock instanceof ManualClock)) {
      throw new Error('the demo moves the application clock: build the application with COMPLAINTS_TEST_CLOCK=1');
    }
    this.clock = clock;
    this.bus = app.get(CommandBus);
    this.store = app.get<EventStore>(EVENT_STORE);
    this.policy = app.get<ComplaintPolicy>(COMPLAINT_POLICY);
    this.runKey = `demo/${options.seed}/${formatShanghai(options.start).slice(0, 10)}/${options.perDay}`;
    this.intakeRng = new Rng(this.runKey, 'intake');
    this.end = options.start + options.days * DAY;
    this.summary = {
      seed: options.seed,
      start: options.start,
      end: this.end,
      stoppedAt: this.end,
      days: options.days,
      perDay: options.perDay,
      complaints: 0,
      commands: 0,
      events: 0,
      eventsByType: {},
      byChannel: {},
      byCategory: {},
      byStatus: {},
      replies: { total: 0, late: 0, unresolved: 0 },
      refunds: { requested: 0, verifiedLate: 0, rejected: 0, billCredit: 0, cash: 0 },
      escalations: { customerUnsatisfied: 0, manual: 0 },
      callbacks: { satisfied: 0, unreachable: 0, unsatisfied: 0 },
      repeatComplaints: 0,
      openAtEnd: 0,
      interrupted: false,
    };
  }

  async run(): Promise<DemoSummary> {
    const { options } = this;
    const maxInFlight = options.maxInFlight ?? 32;
    const interval = options.progressIntervalMs ?? 100;
    let reported = 0;
    // the test clock starts at the wall-clock time; from here on it only moves forward
    this.clock.set(new Date(options.start));

    for (;;) {
      if (options.signal?.aborted) {
        this.summary.interrupted = true;
        break;
      }
      this.admitDays();
      const first = this.queue.peek();
      if (!first || first.step.at >= this.end) break;
      const at = first.step.at;
      if (at < this.clock.now().getTime()) throw new Error(`the demo would move the clock back to ${new Date(at).toISOString()}`);
      this.clock.set(new Date(at));
      await this.runInstant(at, maxInFlight);

      if (options.onProgress && performance.now() - reported >= interval) {
        reported = performance.now();
        options.onProgress(this.progress(at));
      }
    }
    const endsAt = this.summary.interrupted ? this.clock.now().getTime() : this.end;
    this.summary.stoppedAt = endsAt;
    if (endsAt > this.clock.now().getTime()) this.clock.set(new Date(endsAt));
    options.onProgress?.(this.progress(endsAt));
    return this.finish();
  }

  /** the complaints of each simulated day enter before anything of that day runs */
  private admitDays(): void {
    const { start, days, perDay } = this.options;
    while (this.nextDay < days) {
      const midnight = start + this.nextDay * DAY;
      const first = this.queue.peek();
      if (first && first.step.at < midnight) return;
      for (const intake of complaintsOfDay(midnight, perDay, this.nextNo, this.intakeRng, this.customers, this.staff)) {
        const life = new ComplaintLife(intake, new Rng(this.runKey, 'complaint', intake.no), this.staff, this.policy).run();
        this.continue({ no: intake.no, seq: 0, life }, undefined);
        this.nextNo = intake.no + 1;
      }
      this.nextDay++;
    }
  }

  /** Every step due at `at`, in waves of at most `maxInFlight` (a complaint has one step pending at a time). */
  private async runInstant(at: number, maxInFlight: number): Promise<void> {
    while (this.queue.peek()?.step.at === at) {
      const wave: Pending[] = [];
      while (wave.length < maxInFlight && this.queue.peek()?.step.at === at) wave.push(this.queue.pop() as Pending);

      // The commands are prepared in queue order, then all started in the same tick: they reach the store's
      // group commit in this order, so the log's order is the same on every run.
      const commands: RunComplaintCommand[] = [];
      for (const item of wave) commands.push(await this.prepare(item));
      const outcomes = await Promise.allSettled(commands.map((command) => this.bus.execute<RunComplaintCommand, ComplaintCommandResult>(command)));
      outcomes.forEach((outcome, i) => {
        const item = wave[i];
        if (outcome.status === 'rejected') throw new DemoStepError(item.no, item.step, outcome.reason);
        this.record(item, outcome.value);
        this.continue(item, outcome.value);
      });
    }
  }

  /** The command as ComplaintCommands.run builds it: time from the clock, identity from a key, no If-Match. */
  private async prepare(item: Pending): Promise<RunComplaintCommand> {
    const { step } = item;
    const identity = CommandIdentity.fromIdempotencyKey(step.principal.sub, `${this.runKey}/${item.no}/${item.seq}`);
    const now = this.clock.now().toISOString();
    const context: CommandContext = { now, actor: step.principal.sub };
    if (step.kind === 'register') {
      // as POST /api/complaints
      assertBranch(step.principal, step.request.branch);
      const complaintId = identity.newId('complaint');
      if ((await this.store.readStream(complaintStreamId(complaintId))).revision > 0) throw new DemoAlreadyInStoreError(complaintId, this.runKey);
      const priorComplaints = this.priorComplaints(step.request.customer.msisdn, step.at);
      const build = () => ({ type: 'RegisterComplaint', data: { ...step.request, complaintId, priorComplaints }, context }) as ComplaintCommand;
      return new RunComplaintCommand('RegisterComplaint', step.principal, complaintId, build, { identity, now });
    }
    const build = (state: Parameters<typeof step.data>[0]) => ({ type: step.type, data: step.data(state), context }) as ComplaintCommand;
    return new RunComplaintCommand(step.type, step.principal, step.complaintId, build, { identity, now, workOrderId: step.workOrderId });
  }

  /**
   * The repeat-complainant fact the endpoint reads from a read model before
   * registering (complaints by the number within the policy's window, closed
   * ones included), counted here from this run's own registrations: the same
   * on every run, and independent of how the read side catches up. Its
   * customers are its own (a number drawn at random may, very rarely, have
   * complained in an earlier run appended to the same store: not counted).
   */
  private priorComplaints(msisdn: string, at: number): number {
    const since = at - this.policy.repeatWindowDays * DAY;
    const times = this.registrations.get(msisdn) ?? [];
    const prior = times.filter((t) => t >= since).length;
    times.push(at);
    this.registrations.set(msisdn, times);
    return prior;
  }

  /** hands the result to the complaint's life and queues its next step */
  private continue(item: Omit<Pending, 'step'>, result: ComplaintCommandResult | undefined): void {
    const next = result === undefined ? item.life.next() : item.life.next(result);
    if (next.done) return;
    this.queue.push({ ...item, seq: item.seq + 1, step: next.value });
  }

  private record(item: Pending, result: ComplaintCommandResult): void {
    this.commands++;
    this.events += result.events.length;
    const { channel, category, status } = result.complaint;
    this.states.set(item.no, { channel, category, status });
    for (const event of result.events) this.count(event);
  }

  private count(event: ComplaintEvent): void {
    const s = this.summary;
    increment(s.eventsByType, event.type);
    switch (event.type) {
      case 'ComplaintRegistered':
        if (event.data.levelRaisedBy.includes('repeat_complainant')) s.repeatComplaints++;
        break;
      case 'WorkOrderReplied':
        s.replies.total++;
        if (!event.data.onTime) s.replies.late++;
        if (!event.data.resolved) s.replies.unresolved++;
        break;
      case 'RefundRequested':
        s.refunds.requested++;
        break;
      case 'RefundVerified':
        if (!event.data.onTime) s.refunds.verifiedLate++;
        if (!event.data.refundable) s.refunds.rejected++;
        break;
      case 'RefundExecuted':
        if (event.data.method === 'cash') s.refunds.cash++;
        else s.refunds.billCredit++;
        break;
      case 'CallbackCompleted':
        s.callbacks[event.data.outcome]++;
        break;
      case 'ComplaintEscalated':
        if (event.data.trigger === 'manual') s.escalations.manual++;
        else s.escalations.customerUnsatisfied++;
        break;
      default:
        break;
    }
  }

  private progress(at: number): DemoProgress {
    return {
      at,
      daysElapsed: Math.min(this.options.days, Math.max(0, (at - this.options.start) / DAY)),
      complaints: this.states.size,
      events: this.events,
      commands: this.commands,
    };
  }

  private finish(): DemoSummary {
    const s = this.summary;
    s.complaints = this.states.size;
    s.commands = this.commands;
    s.events = this.events;
    for (const complaint of this.states.values()) {
      increment(s.byChannel, complaint.channel);
      increment(s.byCategory, complaint.category);
      increment(s.byStatus, complaint.status);
    }
    s.openAtEnd = this.queue.size;
    return s;
  }
}

/** as the endpoint: a branch desk registers complaints for its own branch */
function assertBranch(principal: Principal, branch: string): void {
  if (principal.branch !== undefined && principal.branch !== branch) {
    throw new Error(`demo script error: ${principal.sub} of branch ${principal.branch} registers for ${branch}`);
  }
}

export function runDemo(app: INestApplicationContext, options: DemoRunOptions): Promise<DemoSummary> {
  return new DemoRunner(app, options).run();
}

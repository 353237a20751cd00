import { INestApplicationContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Clock, CLOCK, ManualClock } from '@complaints/application';
import { CommandContext, ComplaintCase, ComplaintCommand, ComplaintEvent, Deadline, EscalationTrigger, pendingDeadlinesUnder, PoliciesInForce } from '@complaints/domain';
import { EVENT_STORE, EventStore } from '@complaints/event-store';
import { CommandIdentity, complaintStreamId } from '../complaints/complaint-ids';
import { COMPLAINT_POLICIES } from '../complaints/complaint-policy.provider';
import { ComplaintCommandResult, RunComplaintCommand } from '../complaints/run-complaint-command';
import { SCHEDULER } from '../deadlines/deadline-scheduler';
import { Principal } from '../platform/auth';
import { ComplaintLife, Life, Step, STEP_GAP_MS } from './complaint-life';
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
  /** commands in flight at once, each on another complaint (default 32) */
  maxInFlight?: number;
  /** stops after the wave of commands in flight */
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
  escalations: Record<EscalationTrigger, number>;
  /** deadlines the scheduler fired at their simulated time: early warnings and overdue marks, by clock */
  deadlines: { warnings: number; overdue: Record<string, number> };
  /** callback attempts (回访) by outcome; an unsatisfied one reopens the complaint */
  callbacks: { satisfied: number; unreachable: number; unsatisfied: number };
  /** complaints registered with a raised level because the number complained twice before within the window */
  repeatComplaints: number;
  /** complaints whose life had steps to come when the simulation stopped */
  openAtEnd: number;
  interrupted: boolean;
}

/** A step the domain or the access rules refused: a bug in the demo's script, never skipped silently. */
export class DemoStepError extends Error {
  constructor(
    readonly complaintNo: number,
    readonly what: string,
    readonly by: string,
    readonly at: number,
    override readonly cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`demo complaint no. ${complaintNo}: ${what} by ${by} at ${formatShanghai(at, true)} (Asia/Shanghai) was refused: ${why}`);
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

/** A step of a complaint's life, due at `at`. */
interface LifeEntry {
  kind: 'life';
  no: number;
  at: number;
  /** the step's number within its complaint: part of its idempotency key */
  seq: number;
  step: Step;
  life: Life;
}

/** A deadline of a complaint's running clocks, as the scheduler would fire it. */
interface DeadlineEntry {
  kind: 'deadline';
  no: number;
  at: number;
  deadline: Deadline;
}

type Entry = LifeEntry | DeadlineEntry;

/** What the runner knows of a registered complaint whose life or deadlines are not over. */
interface Tracked {
  complaint: ComplaintCase;
  revision: number;
  /** deadline ids already queued */
  queued: Set<string>;
  lifeOver: boolean;
  deadlinesQueued: number;
}

/**
 * Pending entries by simulated time, then complaint number, then deadlines
 * before life steps, then deadline id: a total order, so the run does not
 * depend on the order in which commands complete.
 */
class EntryQueue {
  private readonly heap: Entry[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): Entry | undefined {
    return this.heap[0];
  }

  /** how many life steps are pending: complaints whose life is not over */
  lives(): number {
    return this.heap.filter((e) => e.kind === 'life').length;
  }

  push(item: Entry): void {
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

  pop(): Entry | undefined {
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

function before(a: Entry, b: Entry): boolean {
  if (a.at !== b.at) return a.at < b.at;
  if (a.no !== b.no) return a.no < b.no;
  if (a.kind !== b.kind) return a.kind === 'deadline';
  return a.kind === 'deadline' && b.kind === 'deadline' && a.deadline.id < b.deadline.id;
}

const increment = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

const wholeSecond = (ms: number) => Math.ceil(ms / 1000) * 1000;

/**
 * Simulated complaint traffic through the real command pipeline: a small
 * discrete-event simulation. Each complaint's life yields its steps one by
 * one, and the deadlines of its running clocks (the domain's
 * pendingDeadlines, the same the scheduler reads from its table) are fired
 * when they come due, as the deadline scheduler fires them. Pending entries
 * wait in a queue ordered by simulated time. The runner takes them in waves
 * (see runWave), moves the application's ManualClock to each entry's instant
 * as it issues its command, and waits for the whole wave before it goes on:
 * the clock only moves forward, every event carries its simulated time, and
 * the log is in time order.
 *
 * Commands are built exactly as ComplaintCommands.run builds them (and
 * deadlines as DeadlineScheduler fires them), with an identity derived from
 * the seed, the start date, the daily rate, the complaint number and the step
 * number (as an Idempotency-Key would): the same seed gives the same complaint
 * ids, event ids, events, and order in the log, however many commands run at
 * once. More days only extend a history: the first days of a longer run are
 * those of a shorter one.
 */
export class DemoRunner {
  private readonly clock: ManualClock;
  private readonly bus: CommandBus;
  private readonly store: EventStore;
  /** registration times by MSISDN, of this run: the repeat-complainant count */
  private readonly registrations = new Map<string, number[]>();
  private readonly policies: PoliciesInForce;
  private readonly staff = new DemoStaff();
  private readonly customers = new CustomerPool();
  private readonly queue = new EntryQueue();
  private readonly tracked = new Map<number, Tracked>();
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
    this.policies = app.get<PoliciesInForce>(COMPLAINT_POLICIES);
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
      escalations: { manual: 0, customer_unsatisfied: 0, work_order_overdue: 0 },
      deadlines: { warnings: 0, overdue: {} },
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
      if (!first || first.at >= this.end) break;
      await this.runWave(first.at, maxInFlight);

      if (options.onProgress && performance.now() - reported >= interval) {
        reported = performance.now();
        options.onProgress(this.progress(this.clock.now().getTime()));
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
      if (first && first.at < midnight) return;
      for (const intake of complaintsOfDay(midnight, perDay, this.nextNo, this.intakeRng, this.customers, this.staff)) {
        const life = new ComplaintLife(intake, new Rng(this.runKey, 'complaint', intake.no), this.staff, this.policies.current).run();
        this.advance({ kind: 'life', no: intake.no, at: intake.arrival, seq: 0, life }, undefined);
        this.nextNo = intake.no + 1;
      }
      this.nextDay++;
    }
  }

  /**
   * One wave: the entries due within STEP_GAP_MS of the earliest, at most
   * `maxInFlight`, at most one per complaint (the wave ends before a second
   * one), never past a day not yet admitted. Nothing they lead to can come
   * due inside that window (a complaint's next step, or a deadline its
   * command starts, is queued at least STEP_GAP_MS later), so they can run
   * together: in one synchronous pass, in queue order, the clock moves to
   * each entry's instant and its command is issued, as a request arriving
   * then would be; then all are awaited before the clock moves on. What a
   * wave holds, and in which order, depends on the queue alone, and the
   * commands reach the store's group commit in that order: the log is the
   * same on every run.
   */
  private async runWave(from: number, maxInFlight: number): Promise<void> {
    const nextDayStarts = this.nextDay < this.options.days ? this.options.start + this.nextDay * DAY : Infinity;
    const horizon = Math.min(from + STEP_GAP_MS, this.end, nextDayStarts);
    const wave: Entry[] = [];
    const complaints = new Set<number>();
    for (;;) {
      const next = this.queue.peek();
      if (!next || next.at >= horizon || wave.length >= maxInFlight || complaints.has(next.no)) break;
      this.queue.pop();
      if (next.kind === 'deadline' && !this.stillPending(next)) continue; // its clock stopped or moved: the scheduler's table no longer has it
      complaints.add(next.no);
      wave.push(next);
    }

    // the reads first: a registration of this run must not be in the store already
    for (const entry of wave) {
      if (entry.kind !== 'life' || entry.step.kind !== 'register') continue;
      const complaintId = this.identityOf(entry).newId('complaint');
      if ((await this.store.readStream(complaintStreamId(complaintId))).revision > 0) throw new DemoAlreadyInStoreError(complaintId, this.runKey);
    }

    const issued: Array<Promise<ComplaintCommandResult> | undefined> = wave.map((entry) => {
      if (entry.at < this.clock.now().getTime()) throw new Error(`the demo would move the clock back to ${new Date(entry.at).toISOString()}`);
      this.clock.set(new Date(entry.at));
      const command = this.commandOf(entry);
      if (!command) return undefined; // a life step that no longer applies (see CommandStep.skipIf)
      try {
        return this.bus.execute<RunComplaintCommand, ComplaintCommandResult>(command);
      } catch (error) {
        return Promise.reject(error);
      }
    });
    const outcomes = await Promise.allSettled(issued.map((p) => p ?? Promise.resolve(undefined)));
    outcomes.forEach((outcome, i) => {
      const entry = wave[i];
      if (outcome.status === 'rejected') throw this.refused(entry, outcome.reason);
      const result = outcome.value ?? this.unchanged(entry.no);
      if (outcome.value) this.record(entry, outcome.value);
      if (entry.kind === 'life') this.advance(entry, result);
      else this.deadlineDone(entry.no);
    });
  }

  /** the identity an Idempotency-Key of this run, complaint and step would give */
  private identityOf(entry: LifeEntry): CommandIdentity {
    return CommandIdentity.fromIdempotencyKey(entry.step.principal.sub, `${this.runKey}/${entry.no}/${entry.seq}`);
  }

  /**
   * The command as ComplaintCommands.run builds it (time from the clock,
   * identity from a key, no If-Match), or as DeadlineScheduler fires a
   * deadline; undefined for a life step whose `skipIf` holds.
   */
  private commandOf(entry: Entry): RunComplaintCommand | undefined {
    const now = this.clock.now().toISOString();
    if (entry.kind === 'deadline') {
      const { deadline } = entry;
      const build = () => ({ type: 'FireDeadline', data: { complaintId: deadline.complaintId, deadline }, context: { now, actor: SCHEDULER.sub } }) as ComplaintCommand;
      return new RunComplaintCommand('FireDeadline', SCHEDULER, deadline.complaintId, build, { identity: CommandIdentity.fromIdempotencyKey(SCHEDULER.sub, deadline.id), now });
    }
    const { step } = entry;
    const identity = this.identityOf(entry);
    const context: CommandContext = { now, actor: step.principal.sub };
    if (step.kind === 'register') {
      // as POST /api/complaints
      assertBranch(step.principal, step.request.branch);
      const complaintId = identity.newId('complaint');
      const priorComplaints = this.priorComplaints(step.request.customer.msisdn, step.at);
      const build = () => ({ type: 'RegisterComplaint', data: { ...step.request, complaintId, priorComplaints }, context }) as ComplaintCommand;
      return new RunComplaintCommand('RegisterComplaint', step.principal, complaintId, build, { identity, now });
    }
    const tracked = this.tracked.get(entry.no);
    if (tracked && step.skipIf?.(tracked.complaint)) return undefined;
    const build = (state: Parameters<typeof step.data>[0]) => ({ type: step.type, data: step.data(state), context }) as ComplaintCommand;
    return new RunComplaintCommand(step.type, step.principal, step.complaintId, build, { identity, now, workOrderId: step.workOrderId });
  }

  private refused(entry: Entry, reason: unknown): DemoStepError {
    if (entry.kind === 'deadline') return new DemoStepError(entry.no, `FireDeadline ${entry.deadline.id}`, SCHEDULER.sub, entry.at, reason);
    const { step } = entry;
    return new DemoStepError(entry.no, step.kind === 'register' ? 'RegisterComplaint' : `${step.type} on ${step.complaintId}`, step.principal.sub, entry.at, reason);
  }

  /** a skipped step's answer: the complaint as it stands, nothing written */
  private unchanged(no: number): ComplaintCommandResult {
    const tracked = this.tracked.get(no);
    if (!tracked) throw new Error(`demo complaint no. ${no} skipped a step before it was registered`);
    return { complaint: tracked.complaint, revision: tracked.revision, events: [], replayed: false };
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
    const since = at - this.policies.current.repeatWindowDays * DAY;
    const times = this.registrations.get(msisdn) ?? [];
    const prior = times.filter((t) => t >= since).length;
    times.push(at);
    this.registrations.set(msisdn, times);
    return prior;
  }

  /** hands the result to the complaint's life and queues its next step */
  private advance(entry: Omit<LifeEntry, 'step'>, result: ComplaintCommandResult | undefined): void {
    const next = result === undefined ? entry.life.next() : entry.life.next(result);
    if (!next.done) {
      this.queue.push({ ...entry, at: next.value.at, seq: entry.seq + 1, step: next.value });
      return;
    }
    const tracked = this.tracked.get(entry.no);
    if (tracked) {
      tracked.lifeOver = true;
      this.forgetWhenDone(entry.no, tracked);
    }
  }

  private stillPending(entry: DeadlineEntry): boolean {
    const tracked = this.tracked.get(entry.no);
    const pending = tracked !== undefined && pendingDeadlinesUnder(tracked.complaint, this.policies).some((d) => d.id === entry.deadline.id);
    if (!pending) this.deadlineDone(entry.no);
    return pending;
  }

  private deadlineDone(no: number): void {
    const tracked = this.tracked.get(no);
    if (!tracked) return;
    tracked.deadlinesQueued--;
    this.forgetWhenDone(no, tracked);
  }

  private forgetWhenDone(no: number, tracked: Tracked): void {
    if (tracked.lifeOver && tracked.deadlinesQueued === 0) this.tracked.delete(no);
  }

  /**
   * After every command on a complaint: its state, and the deadlines its
   * clocks now run to, queued for when they fire (and at least STEP_GAP_MS
   * from now: the scheduler of a real server looks every second or so).
   */
  private record({ no, at }: Entry, result: ComplaintCommandResult): void {
    this.commands++;
    this.events += result.events.length;
    const complaint = result.complaint;
    this.states.set(no, { channel: complaint.channel, category: complaint.category, status: complaint.status });
    for (const event of result.events) this.count(event);

    let tracked = this.tracked.get(no);
    if (!tracked) {
      tracked = { complaint, revision: result.revision, queued: new Set(), lifeOver: false, deadlinesQueued: 0 };
      this.tracked.set(no, tracked);
    }
    tracked.complaint = complaint;
    tracked.revision = result.revision;
    // from the command's own instant, never from where the wave has moved the clock since
    for (const deadline of pendingDeadlinesUnder(complaint, this.policies)) {
      if (tracked.queued.has(deadline.id)) continue;
      tracked.queued.add(deadline.id);
      tracked.deadlinesQueued++;
      this.queue.push({ kind: 'deadline', no, at: Math.max(wholeSecond(Date.parse(deadline.fireAt)), at + STEP_GAP_MS), deadline });
    }
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
        s.escalations[event.data.trigger]++;
        break;
      case 'ClockWarningReached':
        s.deadlines.warnings++;
        break;
      case 'WorkOrderReplyOverdue':
      case 'ComplaintLevelOverdue':
      case 'AppealRiskReached':
      case 'RefundVerificationOverdue':
      case 'CallbackOverdue':
        increment(s.deadlines.overdue, event.type);
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
    s.openAtEnd = this.queue.lives();
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

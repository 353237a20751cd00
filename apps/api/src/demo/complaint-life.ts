import {
  ComplaintCase,
  ComplaintCategory,
  ComplaintCommand,
  ComplaintCommandType,
  ComplaintPolicy,
  ComplaintState,
  ContactMethod,
  isRegistered,
  RegisterComplaint,
  yuanToFen,
} from '@complaints/domain';
import { refundId, workOrderId } from '../complaints/complaint-ids';
import { ComplaintCommandResult } from '../complaints/run-complaint-command';
import { Principal } from '../platform/auth';
import {
  CALLBACK_NOTES,
  CLASSIFY_REASONS,
  departmentOpinion,
  dispatchNote,
  finalReply,
  FORWARD_REASONS,
  interimReply,
  MANUAL_ESCALATION_REASONS,
  ON_SITE_RATE,
  ON_SITE_RESOLUTIONS,
  REFUND_NOTES,
  REPLY_METHODS,
  RESOLVE_RATE,
  RETURN_REASONS,
  SUBCATEGORIES,
  SUPERVISOR_RESOLUTIONS,
  UNSATISFIED_COMMENTS,
} from './demo-catalog';
import { Intake } from './demo-intake';
import { DemoStaff } from './demo-staff';
import { Rng } from './prng';
import type { RefundOutcome } from './demo-catalog';
import { nextWorkingTime } from './sim-time';

export type DataOf<T extends ComplaintCommandType> = Extract<ComplaintCommand, { type: T }>['data'];

// ── The step model ─────────────────────────────────────────────────────────

/** Register a complaint: the desk's request; the runner adds the id and the prior-complaint count as `POST /api/complaints` does. */
export interface RegisterStep {
  kind: 'register';
  /** simulated time it runs at, ms since the epoch */
  at: number;
  principal: Principal;
  request: Omit<RegisterComplaint['data'], 'complaintId' | 'priorComplaints'>;
}

/** Any other command on the complaint's stream, as an endpoint would build it from its request. */
export interface CommandStep<T extends ComplaintCommandType = ComplaintCommandType> {
  kind: 'command';
  at: number;
  type: T;
  principal: Principal;
  complaintId: string;
  /** the command's data from the state the pipeline loaded (e.g. the next work-order number) */
  data: (state: ComplaintState) => DataOf<T>;
  /** for work-order commands: the order acted on (the handler's scope check) */
  workOrderId?: string;
  /**
   * When it holds for the complaint as it stands when the step comes due,
   * the step is skipped (nothing is written; the life gets the complaint as
   * it stands): for what the deadline scheduler may have done meanwhile.
   */
  skipIf?: (complaint: ComplaintCase) => boolean;
}

/*
 * Callbacks (回访, §17 step 9) are command steps like the others
 * (CompleteCallback on the callback that archiving scheduled): see
 * ComplaintLife.callBack. A step that is not a command on the complaint's
 * stream (none yet) would be another member of this union, run by
 * DemoRunner.commandOf.
 */
export type Step = RegisterStep | CommandStep;

/**
 * A complaint's life: yields its steps one at a time, each at a simulated
 * time at least STEP_GAP_MS after the step before, and receives each step's
 * result (the deadlines of its clocks the runner fires by itself).
 */
export type Life = Generator<Step, void, ComplaintCommandResult>;
type Part<T = void> = Generator<Step, T, ComplaintCommandResult>;

// ── The mix (rates are per occasion) ───────────────────────────────────────

const MIX = {
  reclassify: 0.1,
  /** of reclassifications: the category changes (otherwise only the level) */
  reclassifyCategory: 0.6,
  misrouted: 0.15,
  acceptFirst: 0.85,
  lateReply: 0.08,
  /** while a department has the order, the desk escalates by hand (VIP: twice as often) */
  manualEscalation: 0.03,
  /** of unresolved replies: the desk returns the order before dispatching again */
  returnUnresolved: 0.25,
  /** of resolving replies: the desk judges them not effective (退单) */
  returnResolved: 0.05,
  interimReply: 0.6,
  /** while a reply is overdue, the desk keeps the customer informed */
  interimWhileLate: 0.5,
  refund: 0.2,
  refundLateVerify: 0.15,
  refundable: 0.85,
  refundPartial: 0.25,
  cashRefund: 0.12,
  satisfiedOnSite: 0.92,
  satisfied: 0.89,
  satisfiedAfterEscalation: 0.9,
  /** callbacks done after their due time */
  callbackLate: 0.08,
  callbackSatisfied: 86,
  callbackUnreachable: 10,
  callbackUnsatisfied: 4,
  /** after an unsatisfied customer, the order passes to the branch customer supervisor department (else the supervisor resolves it) */
  supervisorWorkOrder: 0.55,
} as const;

/**
 * The least time between two steps of a complaint: people take at least a
 * minute between two things they do on one complaint. The runner relies on
 * it to run the steps of different complaints due within a minute together.
 */
export const STEP_GAP_MS = 60_000;

/** the most work orders in a cycle before a department's answer is accepted */
const MAX_ATTEMPTS = 3;
/** the most satisfaction rounds; the last is satisfied */
const MAX_CYCLES = 3;

const QUICK_METHODS: ReadonlySet<ContactMethod> = new Set(['phone', 'in_person']);

export class ComplaintLife {
  private t: number;
  private state?: ComplaintCase;
  private readonly desk: Principal;

  constructor(
    private readonly intake: Intake,
    private readonly rng: Rng,
    private readonly staff: DemoStaff,
    private readonly policy: ComplaintPolicy,
  ) {
    this.t = intake.arrival;
    this.desk = intake.desk;
  }

  *run(): Life {
    yield* this.register();
    if (this.rng.chance(MIX.reclassify)) yield* this.reclassify();

    if (this.desk.role === 'agent' && this.rng.chance(ON_SITE_RATE[this.intake.channel] ?? 0)) {
      yield* this.resolveOnSite();
      yield* this.satisfactionAndArchive(this.desk, true);
      return;
    }
    const refund = this.complaint.category === 'billing' && this.rng.chance(MIX.refund);
    yield* this.workOrders(this.desk, this.routeFor(this.complaint.category), { mayMisroute: true, resolveRate: RESOLVE_RATE[this.complaint.category], refund });
    // the department's answer leaves the refund to the accounts room
    const outcome = refund ? yield* this.refund(false) : undefined;
    yield* this.answer(this.desk, outcome);
    yield* this.satisfactionAndArchive(this.desk, false);
  }

  // ── steps ────────────────────────────────────────────────────────────────

  private get complaint(): ComplaintCase {
    if (!this.state) throw new Error(`complaint no. ${this.intake.no} is not registered yet`);
    return this.state;
  }

  private get id(): string {
    return this.complaint.id;
  }

  private *register(): Part {
    const x = this.intake;
    const result = yield {
      kind: 'register',
      at: this.t,
      principal: this.desk,
      request: {
        channel: x.channel,
        externalRef: x.externalRef,
        customer: x.customer,
        branch: x.branch,
        hall: x.hall,
        category: x.category,
        subcategory: x.story.subcategory,
        description: x.story.description,
        contact: x.contact,
      },
    };
    this.state = result.complaint;
  }

  /** One command at `at` (at least STEP_GAP_MS after the previous step); returns its result. */
  private *command<T extends ComplaintCommandType>(
    at: number,
    type: T,
    principal: Principal,
    data: DataOf<T> | ((state: ComplaintState) => DataOf<T>),
    workOrder?: string,
    skipIf?: (complaint: ComplaintCase) => boolean,
  ): Part<ComplaintCommandResult> {
    // whole seconds, and at least a minute after the step before
    this.t = Math.max(Math.ceil(at / 1000) * 1000, this.t + STEP_GAP_MS);
    const step: CommandStep<T> = {
      kind: 'command',
      at: this.t,
      type,
      principal,
      complaintId: this.id,
      data: typeof data === 'function' ? (data as (state: ComplaintState) => DataOf<T>) : () => data,
      workOrderId: workOrder,
      skipIf,
    };
    const result = yield step;
    this.state = result.complaint;
    return result;
  }

  private *reclassify(): Part {
    const { rng } = this;
    const current = this.complaint;
    const changeCategory = rng.chance(MIX.reclassifyCategory);
    const category = changeCategory ? rng.pick((['billing', 'network', 'service', 'vas'] as const).filter((c) => c !== current.category)) : current.category;
    const level = !changeCategory || rng.chance(0.3) ? rng.weighted([[2, 7], [3, 3]] as const) : undefined;
    const reason = rng.pick(changeCategory ? CLASSIFY_REASONS.category : CLASSIFY_REASONS.level);
    yield* this.command(this.deskTime(this.t + rng.minutes(2, 20)), 'ClassifyComplaint', this.desk, {
      complaintId: this.id,
      category,
      subcategory: changeCategory ? rng.weighted(SUBCATEGORIES[category]) : current.subcategory,
      level,
      reason,
    });
  }

  /** §17 step 3: the desk solves it in the reception room; billing ones may carry a refund first. */
  private *resolveOnSite(): Part {
    const category = this.complaint.category;
    let resolution = this.rng.pick(ON_SITE_RESOLUTIONS[category]);
    if (category === 'billing' && this.rng.chance(MIX.refund)) {
      const outcome = yield* this.refund(true);
      resolution = outcome.refunded
        ? `经帐务室核实多扣费用，已${outcome.method === 'cash' ? '现金' : '退回话费账户'}退费${outcome.amount.toFixed(2)}元并向客户致歉。`
        : '经帐务室核实扣费无误，已当面向客户解释计费规则。';
    }
    yield* this.command(this.deskTime(this.t + this.rng.minutes(3, 25) * this.pace()), 'ResolveOnSite', this.desk, { complaintId: this.id, resolution });
  }

  /**
   * §17 steps 4 to 7: dispatch to `department`; the department (or a wrong
   * one, which forwards) replies; the desk returns or re-dispatches answers
   * that do not resolve it. Ends with the complaint resolved.
   */
  private *workOrders(by: Principal, firstDepartment: string, options: { mayMisroute: boolean; resolveRate: number; refund?: boolean }): Part {
    const { rng } = this;
    let department = firstDepartment;
    for (let attempt = 1; ; attempt++) {
      const misrouted = options.mayMisroute && attempt === 1 && rng.chance(MIX.misrouted);
      const target = misrouted ? this.wrongDepartment(department) : department;
      const dispatchDelay = attempt === 1 ? rng.minutes(2, 30) : rng.minutes(5, 45);
      const dispatched = yield* this.command(this.actTime(by, this.t + dispatchDelay * this.pace()), 'DispatchWorkOrder', by, (state) => ({
        complaintId: this.id,
        workOrderId: workOrderId(this.id, isRegistered(state) ? state.workOrders.length + 1 : 1),
        department: target,
        note: dispatchNote(this.complaint.customer.vip, rng),
      }));
      const event = dispatched.events.find((e) => e.type === 'WorkOrderDispatched');
      if (event?.type !== 'WorkOrderDispatched') throw new Error(`dispatch of complaint ${this.id} wrote no work order`);
      const order = event.data.workOrderId;
      let due = Date.parse(event.data.replyDueAt);
      let hopStart = this.t;

      if (misrouted) {
        // the wrong department sees it is not theirs and forwards it (转派): the right one gets its own hour
        const wrong = this.staff.handler(target, rng);
        if (rng.chance(0.5)) yield* this.command(this.departmentTime(target, this.t + rng.minutes(1, 10)), 'AcceptWorkOrder', wrong, { complaintId: this.id, workOrderId: order }, order);
        const forwarded = yield* this.command(
          this.departmentTime(target, this.t + rng.minutes(3, 40)),
          'ForwardWorkOrder',
          wrong,
          { complaintId: this.id, workOrderId: order, department, reason: rng.pick(FORWARD_REASONS) },
          order,
        );
        const hop = forwarded.events.find((e) => e.type === 'WorkOrderForwarded');
        if (hop?.type === 'WorkOrderForwarded') due = Date.parse(hop.data.replyDueAt);
        hopStart = this.t;
      }

      const handler = this.staff.handler(department, rng);
      if (rng.chance(MIX.acceptFirst)) {
        yield* this.command(this.departmentTime(department, this.t + rng.minutes(1, 15)), 'AcceptWorkOrder', handler, { complaintId: this.id, workOrderId: order }, order);
      }
      const late = rng.chance(MIX.lateReply);
      const planned = late ? due + rng.minutes(5, 240) : Math.max(hopStart + rng.minutes(8, 58), this.t + rng.minutes(1, 5));
      const replyAt = this.departmentTime(department, planned);

      if (this.complaint.tier === 'desk' && rng.chance(MIX.manualEscalation * (this.complaint.customer.vip ? 2 : 1))) {
        // the customer calls again, upset, while the department has it: the desk escalates by hand (the scheduler
        // escalates overdue orders by itself; a step it made moot is skipped)
        const escalateAt = this.actTime(this.desk, this.t + rng.minutes(5, 45));
        if (escalateAt < replyAt - STEP_GAP_MS) {
          const escalatedSince = (complaint: ComplaintCase) => complaint.tier !== 'desk';
          yield* this.command(escalateAt, 'EscalateComplaint', this.desk, { complaintId: this.id, reason: rng.pick(MANUAL_ESCALATION_REASONS) }, undefined, escalatedSince);
        }
      }
      if (replyAt > due) {
        // the desk keeps an overdue order's customer informed
        if (rng.chance(MIX.interimWhileLate)) {
          const interimAt = this.actTime(by, Math.max(this.t, due) + rng.minutes(5, 60));
          if (interimAt < replyAt - STEP_GAP_MS) yield* this.interim(by, interimAt);
        }
      }

      const resolved = attempt >= MAX_ATTEMPTS || rng.chance(options.resolveRate);
      const month = new Date(this.intake.arrival + 8 * 3_600_000).getUTCMonth() + 1;
      yield* this.command(
        replyAt,
        'ReplyToWorkOrder',
        handler,
        { complaintId: this.id, workOrderId: order, opinion: departmentOpinion({ category: this.complaint.category, department, resolved, refund: options.refund === true }, this.intake.story, month, rng), resolved },
        order,
      );

      // A return in a cycle reopened by a callback would bring back the previous cycle's answer: the domain's
      // standingResolution does not count ComplaintReopened as the start of a cycle yet (it would leave the
      // complaint 'resolved' and refuse the next dispatch). Until it does, orders are returned in the first cycle only.
      const mayReturn = this.complaint.cycle === 1;
      if (!resolved) {
        if (mayReturn && rng.chance(MIX.returnUnresolved)) {
          yield* this.command(this.actTime(by, this.t + rng.minutes(10, 60)), 'ReturnWorkOrder', by, { complaintId: this.id, workOrderId: order, reason: rng.pick(RETURN_REASONS) }, order);
        }
        if (rng.chance(MIX.interimReply)) yield* this.interim(by);
        department = this.alternativeTo(department);
        continue;
      }
      if (mayReturn && attempt < MAX_ATTEMPTS && rng.chance(MIX.returnResolved)) {
        // 退单: the desk judges the answer not effective and dispatches again
        yield* this.command(this.actTime(by, this.t + rng.minutes(10, 90)), 'ReturnWorkOrder', by, { complaintId: this.id, workOrderId: order, reason: rng.pick(RETURN_REASONS) }, order);
        if (rng.chance(0.5)) yield* this.interim(by);
        continue;
      }
      return;
    }
  }

  /** §18: the desk asks, the accounts room verifies within ten minutes (or late), the refund goes to the bill (or in cash, approved). */
  private *refund(atHall: boolean): Part<RefundOutcome> {
    const { rng } = this;
    const by = this.desk;
    const claimed = this.intake.story.amount ?? rng.yuan(5, 300);
    const requested = yield* this.command(this.actTime(by, this.t + rng.minutes(2, 15)), 'RequestRefund', by, (state) => ({
      complaintId: this.id,
      refundId: refundId(this.id, isRegistered(state) ? state.refunds.length + 1 : 1),
      amountClaimedFen: yuanToFen(claimed),
      reason: `${this.complaint.subcategory ?? '费用争议'}，客户要求退还多扣费用。`,
    }));
    const event = requested.events.find((e) => e.type === 'RefundRequested');
    if (event?.type !== 'RefundRequested') throw new Error(`refund request of complaint ${this.id} wrote no refund`);
    const refund = event.data.refundId;
    const due = Date.parse(event.data.verifyDueAt);

    const clerk = this.staff.accounts(this.complaint.branch, rng);
    const verifyAt = nextWorkingTime(rng.chance(MIX.refundLateVerify) ? due + rng.minutes(1, 50) : this.t + rng.minutes(2, 9), rng);
    const refundable = rng.chance(MIX.refundable);
    const amount = refundable && rng.chance(MIX.refundPartial) ? Math.max(0.01, Math.round(claimed * (30 + rng.int(0, 60))) / 100) : claimed;
    yield* this.command(verifyAt, 'VerifyRefund', clerk, {
      complaintId: this.id,
      refundId: refund,
      refundable,
      amountFen: refundable ? yuanToFen(amount) : undefined,
      note: refundable ? (amount < claimed ? REFUND_NOTES.partial(amount) : REFUND_NOTES.full(amount)) : rng.pick(REFUND_NOTES.rejected),
    });
    if (!refundable) return { refunded: false };

    if (atHall && by.role === 'agent' && rng.chance(MIX.cashRefund)) {
      // the customer insists on cash: the supervisor approves; form signed and ID checked at the desk
      const supervisor = this.staff.supervisor(this.complaint.branch, rng);
      yield* this.command(nextWorkingTime(this.t + rng.minutes(3, 20), rng), 'ApproveCashRefund', supervisor, { complaintId: this.id, refundId: refund });
      yield* this.command(this.deskTime(this.t + rng.minutes(2, 10)), 'ExecuteRefund', by, {
        complaintId: this.id,
        refundId: refund,
        method: 'cash',
        formSigned: true,
        idChecked: true,
      });
      return { refunded: true, amount, method: 'cash' };
    }
    const executor = by.role === 'agent' && rng.chance(0.5) ? by : clerk;
    yield* this.command(nextWorkingTime(this.t + rng.minutes(1, 30), rng), 'ExecuteRefund', executor, {
      complaintId: this.id,
      refundId: refund,
      method: 'bill_credit',
      formSigned: atHall,
      idChecked: atHall,
    });
    return { refunded: true, amount, method: 'bill_credit' };
  }

  /** the final answer to the customer (§17 step 7), by the method the category (or the customer) prefers */
  private *answer(by: Principal, refund?: RefundOutcome): Part {
    const { rng } = this;
    const complaint = this.complaint;
    const preferred = complaint.contact?.preferredMethod;
    const method = preferred && rng.chance(0.7) ? preferred : rng.weighted(REPLY_METHODS[complaint.category]);
    yield* this.command(this.actTime(by, this.t + rng.minutes(10, 120) * this.pace()), 'ReplyToCustomer', by, {
      complaintId: this.id,
      method,
      content: finalReply(complaint.subcategory, complaint.resolution?.text ?? '', refund),
    });
  }

  private *interim(by: Principal, at = this.actTime(by, this.t + this.rng.minutes(5, 40))): Part {
    yield* this.command(at, 'ReplyToCustomer', by, {
      complaintId: this.id,
      method: this.rng.weighted([['phone', 6], ['sms', 4]] as const),
      content: interimReply(this.rng),
    });
  }

  /**
   * §17 step 8: satisfied → archived; not satisfied → the domain escalates
   * it, and the supervisor (or the branch customer supervisor department, or
   * marketing for the raising channels) resolves it again.
   */
  private *satisfactionAndArchive(first: Principal, onSite: boolean): Part {
    const { rng } = this;
    let asker = first;
    let quick = onSite;
    for (;;) {
      const lastReply = this.complaint.customerReplies[this.complaint.customerReplies.length - 1];
      quick = quick || (lastReply !== undefined && QUICK_METHODS.has(lastReply.method));
      const askAt = this.actTime(asker, this.t + (quick ? rng.minutes(1, 6) : rng.minutes(120, 1200)));
      const cycle = this.complaint.cycle;
      const rate = cycle > 1 ? MIX.satisfiedAfterEscalation : onSite ? MIX.satisfiedOnSite : MIX.satisfied;
      const satisfied = cycle >= MAX_CYCLES || rng.chance(rate);
      const comment = satisfied ? (rng.chance(0.3) ? '满意' : undefined) : rng.pick(UNSATISFIED_COMMENTS);
      yield* this.command(askAt, 'RecordSatisfaction', asker, { complaintId: this.id, satisfied, comment });
      if (satisfied) {
        const archiver = asker.role === 'supervisor' || rng.chance(0.9) ? asker : this.desk;
        const archiveDelay = rng.chance(0.75) ? rng.minutes(10, 180) : rng.minutes(180, 26 * 60);
        const archived = yield* this.command(this.actTime(archiver, this.t + archiveDelay), 'ArchiveComplaint', archiver, { complaintId: this.id });
        const scheduled = archived.events.find((e) => e.type === 'CallbackScheduled');
        if (scheduled?.type !== 'CallbackScheduled') return;
        const reopened = yield* this.callBack(scheduled.data.callbackId, Date.parse(scheduled.data.dueAt));
        if (!reopened) return;
      }
      asker = yield* this.resolveAgain();
      quick = false;
    }
  }

  /**
   * §17 step 9: the customer is called back after archiving, mostly within
   * the callback's time; unreachable is tried again later, and unsatisfied
   * reopens the complaint (to the supervisor). Returns whether it reopened.
   */
  private *callBack(callback: string, due: number): Part<boolean> {
    const { rng } = this;
    // the 10086 center calls back its own complaints, the branch desk the others
    const caller = this.desk.role === 'callcenter' ? this.staff.operator(rng) : this.staff.agent(this.complaint.branch, rng);
    let at = this.actTime(caller, rng.chance(MIX.callbackLate) ? due + rng.minutes(30, 480) : this.t + rng.minutes(60, 18 * 60));
    for (;;) {
      const outcome =
        this.complaint.cycle >= MAX_CYCLES
          ? rng.weighted([['satisfied', 95], ['unreachable', 5]] as const)
          : rng.weighted([['satisfied', MIX.callbackSatisfied], ['unreachable', MIX.callbackUnreachable], ['unsatisfied', MIX.callbackUnsatisfied]] as const);
      const result = yield* this.command(at, 'CompleteCallback', caller, {
        complaintId: this.id,
        callbackId: callback,
        outcome,
        notes: rng.pick(CALLBACK_NOTES[outcome]),
      });
      const retry = result.events.find((e) => e.type === 'CallbackRescheduled');
      if (retry?.type === 'CallbackRescheduled') {
        at = this.actTime(caller, Date.parse(retry.data.dueAt) - rng.minutes(0, 60));
        continue;
      }
      return result.events.some((e) => e.type === 'ComplaintReopened');
    }
  }

  /** After an unsatisfied customer; returns who asks the customer next. */
  private *resolveAgain(): Part<Principal> {
    const { rng } = this;
    const supervisor = this.staff.supervisor(this.complaint.branch, rng);
    if (this.complaint.tier === 'marketing-cs') {
      yield* this.workOrders(supervisor, 'marketing-cs', { mayMisroute: false, resolveRate: 0.95 });
      yield* this.answer(supervisor);
      return supervisor;
    }
    if (rng.chance(MIX.supervisorWorkOrder)) {
      // 传递工单至分公司客户主管
      yield* this.workOrders(this.desk, 'branch-customer-supervisor', { mayMisroute: false, resolveRate: 0.95 });
      yield* this.answer(this.desk);
      return this.desk;
    }
    yield* this.command(nextWorkingTime(this.t + rng.minutes(30, 240), rng), 'ResolveOnSite', supervisor, {
      complaintId: this.id,
      resolution: rng.pick(SUPERVISOR_RESOLUTIONS),
    });
    return supervisor;
  }

  // ── who, where, when ─────────────────────────────────────────────────────

  /** the usual department of a category: the first of the routing, sometimes the second (billing: support) */
  private routeFor(category: ComplaintCategory): string {
    const routes = this.policy.routing[category];
    return routes.length > 1 && this.rng.chance(0.2) ? routes[1] : routes[0];
  }

  /** where a re-dispatch goes after an unresolved answer: another department of the category when there is one */
  private alternativeTo(department: string): string {
    const routes = this.policy.routing[this.complaint.category];
    const others = routes.filter((d) => d !== department);
    return routes.includes(department) && others.length > 0 && this.rng.chance(0.5) ? this.rng.pick(others) : department;
  }

  /** a department that handles another category */
  private wrongDepartment(right: string): string {
    const mine = new Set(this.policy.routing[this.complaint.category]);
    const others = [...new Set(Object.values(this.policy.routing).flat())].filter((d) => !mine.has(d) && d !== right);
    return this.rng.pick(others);
  }

  /** urgent (level 3) and VIP complaints are handled faster */
  private pace(): number {
    return this.complaint.level === 3 || this.complaint.customer.vip ? 0.5 : 1;
  }

  /** desks and the call center: the call center works round the clock */
  private actTime(principal: Principal, at: number): number {
    return principal.role === 'callcenter' ? at : nextWorkingTime(at, this.rng);
  }

  private deskTime(at: number): number {
    return this.actTime(this.desk, at);
  }

  /** network operations (EOMS) work round the clock; other departments in office hours */
  private departmentTime(department: string, at: number): number {
    return department === 'eoms' ? at : nextWorkingTime(at, this.rng);
  }
}

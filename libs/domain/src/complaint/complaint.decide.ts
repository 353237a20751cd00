import { answerCustomerQuery, recordCustomerQuery } from '../query/customer-query';
import { decideRefund } from '../refund/refund.decide';
import { isRefundOpen } from '../refund/refund.state';
import { clockPolicyVersion, ComplaintPolicy, DEFAULT_POLICY, judgingPolicies, PoliciesInForce, POLICY_BOOK, PolicyBook, policyInForce } from '../policy/complaint-policy';
import { assertNever, Decider } from '../shared/decider';
import { CommandRefused, NotFound } from '../shared/domain-error';
import { addMinutes } from '../shared/time';
import { decideWorkOrder } from '../work-order/work-order.decide';
import { isWorkOrderOpen } from '../work-order/work-order.state';
import {
  ArchiveComplaint,
  ClassifyComplaint,
  ComplaintCommand,
  EscalateComplaint,
  RecordSatisfaction,
  RegisterComplaint,
  ReplyToCustomer,
  ResolveOnSite,
} from './complaint.commands';
import { ComplaintEvent } from './complaint.events';
import { escalated, escalationTarget } from './escalation';
import { fireDeadline, pauseLevelClock, resumeLevelClock } from '../deadlines/deadline.decide';
import { completeCallback, scheduleCallback } from '../callback/callback';
import { evolveComplaint } from './complaint.evolve';
import { effectiveLevel, levelDueAt, levelRaises } from './complaint.level';
import { ComplaintCase, ComplaintState, initialComplaintState, isRegistered } from './complaint.state';

function register(command: RegisterComplaint, policy: ComplaintPolicy): ComplaintEvent[] {
  const d = command.data;
  const registeredAt = command.context.now;
  const raises = levelRaises(d, policy);
  const baseLevel = 1;
  const level = effectiveLevel(baseLevel, raises);
  return [
    {
      type: 'ComplaintRegistered',
      data: {
        complaintId: d.complaintId,
        channel: d.channel,
        externalRef: d.externalRef,
        customer: d.customer,
        branch: d.branch,
        hall: d.hall,
        category: d.category,
        subcategory: d.subcategory,
        description: d.description,
        contact: d.contact,
        baseLevel,
        level,
        levelRaisedBy: raises,
        priorComplaints: d.priorComplaints,
        registeredAt,
        dueAt: levelDueAt(registeredAt, level, policy),
        appealRiskAt: addMinutes(registeredAt, policy.appealRiskDays * 24 * 60),
        policyVersion: policy.version,
      },
    },
  ];
}

function classify(command: ClassifyComplaint, complaint: ComplaintCase, policy: ComplaintPolicy): ComplaintEvent[] {
  const { complaintId, category, reason } = command.data;
  // what the request leaves out stays as it was, so a retry of a partial reclassification changes nothing
  const subcategory = command.data.subcategory ?? complaint.subcategory;
  const baseLevel = command.data.level ?? complaint.baseLevel;
  const level = effectiveLevel(baseLevel, complaint.levelRaisedBy);
  const unchanged = category === complaint.category && subcategory === complaint.subcategory && baseLevel === complaint.baseLevel;
  if (unchanged) return []; // the same classification again: a retry changes nothing
  return [
    {
      type: 'ComplaintClassified',
      data: {
        complaintId,
        category,
        subcategory,
        baseLevel,
        level,
        reason,
        previous: { category: complaint.category, subcategory: complaint.subcategory, level: complaint.level },
        dueAt: levelDueAt(complaint.registeredAt, level, policy),
        classifiedAt: command.context.now,
      },
    },
  ];
}

function resolveOnSite(command: ResolveOnSite, complaint: ComplaintCase): ComplaintEvent[] {
  const open = complaint.workOrders.find(isWorkOrderOpen);
  if (open) {
    throw new CommandRefused('complaint.work_order_open', `work order ${open.id} is still with ${open.department}; it cannot also be resolved on site`);
  }
  if (complaint.status !== 'registered' && complaint.status !== 'in_progress') {
    throw new CommandRefused('complaint.not_open_for_resolution', `complaint ${complaint.id} is ${complaint.status}; on-site resolution is for a complaint still being handled`);
  }
  const { complaintId, resolution } = command.data;
  return [{ type: 'ComplaintResolvedOnSite', data: { complaintId, resolution, resolvedAt: command.context.now } }];
}

function replyToCustomer(command: ReplyToCustomer, complaint: ComplaintCase): ComplaintEvent[] {
  const { complaintId, method, content } = command.data;
  // §17 step 7: the final answer once resolved; before that, interim replies keep the customer informed
  const final = complaint.status === 'resolved';
  return [{ type: 'CustomerReplied', data: { complaintId, method, content, final, repliedAt: command.context.now } }];
}

function recordSatisfaction(command: RecordSatisfaction, complaint: ComplaintCase, policy: ComplaintPolicy): ComplaintEvent[] {
  const { complaintId, satisfied, comment } = command.data;
  const { now } = command.context;
  if (complaint.status === 'satisfied' && satisfied) return []; // recorded already: a retry changes nothing
  if (complaint.status !== 'answered') {
    throw new CommandRefused('complaint.not_answered', `complaint ${complaint.id} is ${complaint.status}; satisfaction is asked after the customer has been answered`);
  }
  const recorded: ComplaintEvent = { type: 'SatisfactionRecorded', data: { complaintId, satisfied, comment, recordedAt: now } };
  if (satisfied) return [recorded];
  // §17 step 8: not satisfied: the order passes to the branch customer supervisor (or higher)
  const to = escalationTarget(complaint, 'customer_unsatisfied', policy);
  const reason = comment ? `customer not satisfied: ${comment}` : 'customer not satisfied with the answer';
  return to ? [recorded, escalated(complaint, to, 'customer_unsatisfied', reason, now)] : [recorded];
}

function escalate(command: EscalateComplaint, complaint: ComplaintCase, policy: ComplaintPolicy): ComplaintEvent[] {
  const to = escalationTarget(complaint, 'manual', policy);
  if (!to) {
    throw new CommandRefused('complaint.escalation_top', `complaint ${complaint.id} is already with ${complaint.tier}, the top of the escalation ladder`);
  }
  return [escalated(complaint, to, 'manual', command.data.reason, command.context.now)];
}

/** `policy`: the one in force now, which judges the callback's clock */
function archive(command: ArchiveComplaint, complaint: ComplaintCase, policy: ComplaintPolicy): ComplaintEvent[] {
  if (complaint.status !== 'satisfied') {
    throw new CommandRefused('complaint.not_satisfied', `complaint ${complaint.id} is ${complaint.status}; it is archived once the customer is satisfied`);
  }
  const openRefund = complaint.refunds.find(isRefundOpen);
  if (openRefund) {
    throw new CommandRefused('complaint.refund_open', `refund ${openRefund.id} is still ${openRefund.status}; finish it before archiving`);
  }
  const archivedAt = command.context.now;
  return [{ type: 'ComplaintArchived', data: { complaintId: command.data.complaintId, archivedAt } }, scheduleCallback(complaint, archivedAt, policy)];
}

/**
 * `policy`: the complaint's own (the version it was registered under, or the
 * one a new complaint is registered under); `inForce`: the policy in force
 * now, which judges every clock started now, and every version, by which a
 * clock that recorded its own is judged. Without it, `policy` is in force.
 */
export function decideComplaint(command: ComplaintCommand, state: ComplaintState, policy: ComplaintPolicy = DEFAULT_POLICY, inForce?: PoliciesInForce): ComplaintEvent[] {
  if (command.type === 'RegisterComplaint') {
    if (state.status !== 'none') {
      throw new CommandRefused('complaint.already_registered', `complaint ${command.data.complaintId} is already registered`);
    }
    return register(command, policy);
  }
  if (state.status === 'none') {
    throw new NotFound('complaint.not_found', `complaint ${command.data.complaintId} does not exist`);
  }
  const policies = judgingPolicies(policy, inForce);
  const current = policies.current;
  // a deadline that raced the archiving is simply no longer pending
  if (command.type === 'FireDeadline') return fireDeadline(command, state, policies);
  // the callback comes after the archiving
  if (command.type === 'CompleteCallback') return completeCallback(command, state, policies);
  if (state.status === 'archived') {
    throw new CommandRefused('complaint.archived', `complaint ${state.id} was archived at ${state.archivedAt}; nothing more can be done to it`);
  }
  switch (command.type) {
    case 'ClassifyComplaint':
      return classify(command, state, policy);
    case 'ResolveOnSite':
      return resolveOnSite(command, state);
    case 'ReplyToCustomer':
      return replyToCustomer(command, state);
    case 'RecordSatisfaction':
      return recordSatisfaction(command, state, policy);
    case 'EscalateComplaint':
      return escalate(command, state, policy);
    case 'ArchiveComplaint':
      return archive(command, state, current);
    case 'PauseLevelClock':
      return pauseLevelClock(command, state);
    case 'ResumeLevelClock':
      return resumeLevelClock(command, state);
    case 'RecordCustomerQuery':
      return recordCustomerQuery(state.id, state.queries, command.data, command.context.now, current.queryAnswerWorkingDays, command.context.calendar, clockPolicyVersion(state, current));
    case 'AnswerCustomerQuery':
      return answerCustomerQuery(state.id, state.queries, command.data, command.context.now);
    case 'DispatchWorkOrder':
    case 'AcceptWorkOrder':
    case 'ForwardWorkOrder':
    case 'ReplyToWorkOrder':
    case 'ReturnWorkOrder':
      return decideWorkOrder(command, state, current);
    case 'RequestRefund':
    case 'VerifyRefund':
    case 'ApproveCashRefund':
    case 'ExecuteRefund':
      return decideRefund(command, state, current);
    default:
      return assertNever(command);
  }
}

/**
 * The complaint's stream as one decider: the complaint, its work orders and
 * its refunds. New complaints are registered under `current`; a registered
 * complaint is judged by the version it was registered under, and each of its
 * clocks by the policy in force when it started (see {@link JudgingPolicies}).
 */
export function complaintDecider(current: ComplaintPolicy = DEFAULT_POLICY, book: PolicyBook = POLICY_BOOK): Decider<ComplaintState, ComplaintCommand, ComplaintEvent> {
  return {
    decide: (command, state) => decideComplaint(command, state, isRegistered(state) ? policyInForce(book, state.policyVersion, current) : current, { current, book }),
    evolve: evolveComplaint,
    initialState: initialComplaintState,
  };
}

import { ComplaintCase } from '../complaint/complaint.state';
import { ComplaintPolicy, judgingPoliciesOf, PoliciesInForce } from '../policy/complaint-policy';
import { isRefundOpen } from '../refund/refund.state';
import { addMinutes, Instant, minutesBetween } from '../shared/time';
import { isWorkOrderOpen } from '../work-order/work-order.state';

/**
 * The clocks of the manual, and the deadlines they set. A deadline is a mark
 * on a running clock: an early warning (at a share of the clock's span) or
 * its due time. Which deadlines are pending follows from the complaint's
 * state alone ({@link pendingDeadlines}), so the scheduler's table and the
 * decider that fires them can never disagree about what is still due: a
 * deadline whose clock stopped (the reply came) or moved (a new hop, a pause)
 * is simply no longer pending, and firing it writes nothing.
 */
export type ClockKind = 'work_order_reply' | 'level' | 'appeal_risk' | 'refund_verification' | 'callback' | 'query_answer';

export type DeadlineMark = 'warn50' | 'warn80' | 'due';

export interface Deadline {
  /** `clock|subject|dueAt|mark`: the same clock run gives the same id, a moved clock a new one */
  id: string;
  complaintId: string;
  clock: ClockKind;
  /** what the clock runs for: `<workOrderId>#<hop>`, `<refundId>`, `<callbackId>@<attempt>`, `<queryId>`, or the complaint id */
  subject: string;
  mark: DeadlineMark;
  startedAt: Instant;
  dueAt: Instant;
  /** when this mark fires */
  fireAt: Instant;
}

const WARNING_SHARES: Record<Exclude<DeadlineMark, 'due'>, number> = { warn50: 0.5, warn80: 0.8 };

export function deadlineId(clock: ClockKind, subject: string, dueAt: Instant, mark: DeadlineMark): string {
  return `${clock}|${subject}|${dueAt}|${mark}`;
}

function marksOf(complaintId: string, clock: ClockKind, subject: string, startedAt: Instant, dueAt: Instant, policy: ComplaintPolicy): Deadline[] {
  const span = minutesBetween(startedAt, dueAt);
  const marks: DeadlineMark[] = [...policy.warningMarks, 'due'];
  return marks.map((mark) => ({
    id: deadlineId(clock, subject, dueAt, mark),
    complaintId,
    clock,
    subject,
    mark,
    startedAt,
    dueAt,
    fireAt: mark === 'due' ? dueAt : addMinutes(startedAt, span * WARNING_SHARES[mark]),
  }));
}

/** The level clock has stopped once the customer has the final answer. */
export function isAnswered(complaint: ComplaintCase): boolean {
  return complaint.status === 'answered' || complaint.status === 'satisfied' || complaint.status === 'archived';
}

/**
 * Every deadline of the complaint's running clocks that has not fired yet.
 * `policy` is the complaint's own; a clock that recorded another version
 * (started after a new policy was put in force) is judged by `policyOf` it.
 */
export function pendingDeadlines(complaint: ComplaintCase, policy: ComplaintPolicy, policyOf: (version: string | undefined) => ComplaintPolicy = () => policy): Deadline[] {
  const fired = new Set(complaint.firedDeadlines);
  const all: Deadline[] = [];
  for (const order of complaint.workOrders.filter(isWorkOrderOpen)) {
    const hop = order.hops[order.hops.length - 1];
    all.push(...marksOf(complaint.id, 'work_order_reply', `${order.id}#${hop.hop}`, hop.startedAt, hop.replyDueAt, policyOf(hop.policyVersion)));
  }
  if (!isAnswered(complaint)) {
    if (!complaint.levelClock.pausedSince) {
      all.push(...marksOf(complaint.id, 'level', complaint.id, complaint.registeredAt, complaint.dueAt, policy));
    }
    all.push(...marksOf(complaint.id, 'appeal_risk', complaint.id, complaint.registeredAt, complaint.appealRiskAt, policy));
  }
  for (const refund of complaint.refunds.filter((r) => r.status === 'requested' && isRefundOpen(r))) {
    all.push(...marksOf(complaint.id, 'refund_verification', refund.id, refund.requestedAt, refund.verifyDueAt, policyOf(refund.policyVersion)));
  }
  for (const callback of complaint.callbacks.filter((c) => c.status === 'scheduled')) {
    // each attempt has its own clock, from when it was set
    const own = policyOf(callback.policyVersion);
    const startedAt = addMinutes(callback.dueAt, -(callback.attempt === 1 ? own.callbackWithinMinutes : own.callbackRetryMinutes));
    all.push(...marksOf(complaint.id, 'callback', `${callback.id}@${callback.attempt}`, startedAt, callback.dueAt, own));
  }
  for (const query of complaint.queries.filter((q) => !q.answeredAt && !q.overdueAt)) {
    all.push(...marksOf(complaint.id, 'query_answer', query.id, query.recordedAt, query.answerDueAt, policyOf(query.policyVersion)));
  }
  return all.filter((d) => !fired.has(d.id));
}

/** {@link pendingDeadlines} under the policies in force: each clock judged by the policy in force when it started. */
export function pendingDeadlinesUnder(complaint: ComplaintCase, inForce: PoliciesInForce): Deadline[] {
  const judging = judgingPoliciesOf(complaint, inForce);
  return pendingDeadlines(complaint, judging.own, judging.of);
}

import { evolveCustomerQueries } from '../query/customer-query';
import { CallbackState } from '../callback/callback';
import { evolveRefund } from '../refund/refund.evolve';
import { RefundEvent } from '../refund/refund.events';
import { assertNever } from '../shared/decider';
import { notAfter } from '../shared/time';
import { evolveWorkOrder } from '../work-order/work-order.evolve';
import { WorkOrderEvent } from '../work-order/work-order.events';
import { isWorkOrderOpen, WorkOrderHop } from '../work-order/work-order.state';
import { ComplaintEvent } from './complaint.events';
import { ComplaintCase, ComplaintState, ComplaintStatus } from './complaint.state';

/** Where a complaint stands once its work orders changed. */
function statusFromWorkOrders(complaint: ComplaintCase): ComplaintStatus {
  if (complaint.workOrders.some(isWorkOrderOpen)) return 'dispatched';
  return complaint.resolution ? 'resolved' : 'in_progress';
}

/**
 * The latest resolving answer of a work order that was not returned, given in
 * the current cycle (since the customer last said they were not satisfied, at the desk or at the callback).
 */
function standingResolution(complaint: ComplaintCase): ComplaintCase['resolution'] {
  const cycleStartedAt = complaint.cycleStartedAt;
  let latest: ComplaintCase['resolution'];
  for (const workOrder of complaint.workOrders) {
    const { status, resolved, repliedAt, opinion, id } = workOrder;
    if (status !== 'replied' || !resolved || !repliedAt) continue;
    if (cycleStartedAt && notAfter(repliedAt, cycleStartedAt)) continue;
    if (!latest || notAfter(latest.resolvedAt, repliedAt)) latest = { source: 'work_order', text: opinion ?? '', resolvedAt: repliedAt, workOrderId: id };
  }
  return latest;
}

function withWorkOrder(complaint: ComplaintCase, event: WorkOrderEvent): ComplaintCase {
  const { workOrderId } = event.data;
  const existing = complaint.workOrders.find((w) => w.id === workOrderId);
  const updated = evolveWorkOrder(existing, event);
  const workOrders = existing ? complaint.workOrders.map((w) => (w.id === workOrderId ? updated : w)) : [...complaint.workOrders, updated];
  return { ...complaint, workOrders };
}

function withCallback(complaint: ComplaintCase, callbackId: string, change: (callback: CallbackState) => CallbackState): ComplaintCase {
  return { ...complaint, callbacks: complaint.callbacks.map((c) => (c.id === callbackId ? change(c) : c)) };
}

/** applies `change` to the hop `<workOrderId>#<hop>` */
function withHop(complaint: ComplaintCase, subject: string, change: (hop: WorkOrderHop) => WorkOrderHop): ComplaintCase {
  const [workOrderId, hopNumber] = [subject.slice(0, subject.lastIndexOf('#')), Number(subject.slice(subject.lastIndexOf('#') + 1))];
  return {
    ...complaint,
    workOrders: complaint.workOrders.map((w) => (w.id === workOrderId ? { ...w, hops: w.hops.map((h) => (h.hop === hopNumber ? change(h) : h)) } : w)),
  };
}

function withRefund(complaint: ComplaintCase, event: RefundEvent): ComplaintCase {
  const { refundId } = event.data;
  const existing = complaint.refunds.find((r) => r.id === refundId);
  const updated = evolveRefund(existing, event);
  const refunds = existing ? complaint.refunds.map((r) => (r.id === refundId ? updated : r)) : [...complaint.refunds, updated];
  return { ...complaint, refunds };
}

export function evolveComplaint(state: ComplaintState, event: ComplaintEvent): ComplaintState {
  if (event.type === 'ComplaintRegistered') {
    const d = event.data;
    return {
      status: 'registered',
      id: d.complaintId,
      channel: d.channel,
      externalRef: d.externalRef,
      customer: d.customer,
      branch: d.branch,
      hall: d.hall,
      category: d.category,
      subcategory: d.subcategory,
      description: d.description,
      contact: d.contact,
      baseLevel: d.baseLevel,
      level: d.level,
      levelRaisedBy: d.levelRaisedBy,
      priorComplaints: d.priorComplaints,
      registeredAt: d.registeredAt,
      dueAt: d.dueAt,
      appealRiskAt: d.appealRiskAt,
      policyVersion: d.policyVersion,
      tier: 'desk',
      escalations: [],
      workOrders: [],
      refunds: [],
      customerReplies: [],
      cycle: 1,
      callbacks: [],
      queries: [],
      firedDeadlines: [],
      workOrderMisses: 0,
      levelClock: { pausedMinutes: 0 },
    };
  }
  if (state.status === 'none') throw new Error(`${event.type} before the complaint was registered`);
  const complaint = state;

  switch (event.type) {
    case 'ComplaintClassified': {
      const { category, subcategory, baseLevel, level, dueAt } = event.data;
      return { ...complaint, category, subcategory, baseLevel, level, dueAt };
    }
    case 'ComplaintResolvedOnSite': {
      const { resolution, resolvedAt } = event.data;
      return { ...complaint, status: 'answered', resolution: { source: 'on_site', text: resolution, resolvedAt } };
    }
    case 'CustomerReplied': {
      const { method, content, final, repliedAt } = event.data;
      return {
        ...complaint,
        status: final ? 'answered' : complaint.status,
        customerReplies: [...complaint.customerReplies, { method, content, final, repliedAt }],
      };
    }
    case 'SatisfactionRecorded': {
      const { satisfied, comment, recordedAt } = event.data;
      const satisfaction = { satisfied, comment, recordedAt };
      return satisfied
        ? { ...complaint, status: 'satisfied', satisfaction }
        : { ...complaint, status: 'in_progress', satisfaction, resolution: undefined, cycle: complaint.cycle + 1, cycleStartedAt: recordedAt };
    }
    case 'ComplaintEscalated': {
      const { from, to, trigger, reason, escalatedAt, deadlineId } = event.data;
      return { ...complaint, tier: to, escalations: [...complaint.escalations, { from, to, trigger, reason, escalatedAt, ...(deadlineId && { deadlineId }) }] };
    }
    case 'ClockWarningReached': {
      const fired = { ...complaint, firedDeadlines: [...complaint.firedDeadlines, event.data.deadlineId] };
      const { clock, subject, mark } = event.data;
      if (clock === 'level') return { ...fired, levelWarning: mark };
      if (clock === 'work_order_reply') return withHop(fired, subject, (hop) => ({ ...hop, warning: mark }));
      if (clock === 'query_answer') return { ...fired, queries: fired.queries.map((q) => (q.id === subject ? { ...q, warning: mark } : q)) };
      return fired;
    }
    case 'WorkOrderReplyOverdue': {
      const fired = { ...complaint, firedDeadlines: [...complaint.firedDeadlines, event.data.deadlineId], workOrderMisses: complaint.workOrderMisses + 1 };
      return withHop(fired, `${event.data.workOrderId}#${event.data.hop}`, (hop) => ({ ...hop, overdue: true }));
    }
    case 'ComplaintLevelOverdue':
      return { ...complaint, firedDeadlines: [...complaint.firedDeadlines, event.data.deadlineId], levelOverdueAt: event.data.recordedAt };
    case 'AppealRiskReached':
      return { ...complaint, firedDeadlines: [...complaint.firedDeadlines, event.data.deadlineId], appealRiskReachedAt: event.data.recordedAt };
    case 'RefundVerificationOverdue':
      return {
        ...complaint,
        firedDeadlines: [...complaint.firedDeadlines, event.data.deadlineId],
        refunds: complaint.refunds.map((r) => (r.id === event.data.refundId ? { ...r, verificationOverdue: true } : r)),
      };
    case 'CallbackScheduled': {
      const { callbackId, cycle, attempt, dueAt, policyVersion } = event.data;
      return {
        ...complaint,
        callbacks: [...complaint.callbacks, { id: callbackId, cycle, status: 'scheduled', attempt, dueAt, ...(policyVersion !== undefined && { policyVersion }), attempts: [] }],
      };
    }
    case 'CallbackCompleted': {
      const { callbackId, attempt, outcome, notes, completedAt } = event.data;
      return withCallback(complaint, callbackId, (c) => ({ ...c, status: 'completed', outcome, attempts: [...c.attempts, { attempt, outcome, notes, at: completedAt }] }));
    }
    case 'CallbackRescheduled': {
      const { callbackId, attempt, dueAt, policyVersion } = event.data;
      return withCallback(complaint, callbackId, (c) => ({ ...c, status: 'scheduled', outcome: undefined, attempt, dueAt, policyVersion, overdue: false }));
    }
    case 'CallbackOverdue':
      return withCallback({ ...complaint, firedDeadlines: [...complaint.firedDeadlines, event.data.deadlineId] }, event.data.callbackId, (c) => ({ ...c, overdue: true }));
    case 'ComplaintReopened':
      return { ...complaint, status: 'in_progress', cycle: event.data.cycle, cycleStartedAt: event.data.reopenedAt, resolution: undefined, satisfaction: undefined, archivedAt: undefined };
    case 'LevelClockPaused':
      return { ...complaint, levelClock: { ...complaint.levelClock, pausedSince: event.data.pausedAt, pauseReason: event.data.reason } };
    case 'LevelClockResumed':
      return {
        ...complaint,
        dueAt: event.data.dueAt,
        levelWarning: undefined,
        levelClock: { pausedMinutes: complaint.levelClock.pausedMinutes + event.data.pausedMinutes },
      };
    case 'ComplaintArchived':
      return { ...complaint, status: 'archived', archivedAt: event.data.archivedAt };

    case 'WorkOrderDispatched':
    case 'WorkOrderAccepted':
    case 'WorkOrderForwarded':
      return { ...withWorkOrder(complaint, event), status: 'dispatched' };
    case 'WorkOrderReplied': {
      const next = withWorkOrder(complaint, event);
      const { resolved, opinion, repliedAt, workOrderId } = event.data;
      const withResolution: ComplaintCase = resolved
        ? { ...next, resolution: { source: 'work_order', text: opinion, resolvedAt: repliedAt, workOrderId } }
        : next;
      return { ...withResolution, status: statusFromWorkOrders(withResolution) };
    }
    case 'WorkOrderReturned': {
      const next = withWorkOrder(complaint, event);
      // the desk judged this order's answer not effective: it no longer resolves the complaint,
      // but another order's resolving answer of this cycle still does
      const resolution = next.resolution?.workOrderId === event.data.workOrderId ? standingResolution(next) : next.resolution;
      const withoutResolution: ComplaintCase = { ...next, resolution };
      return { ...withoutResolution, status: statusFromWorkOrders(withoutResolution) };
    }

    case 'CustomerQueryOverdue':
      return { ...complaint, firedDeadlines: [...complaint.firedDeadlines, event.data.deadlineId], queries: evolveCustomerQueries(complaint.queries, event) };
    case 'CustomerQueryRecorded':
    case 'CustomerQueryAnswered':
      return { ...complaint, queries: evolveCustomerQueries(complaint.queries, event) };

    case 'RefundRequested':
    case 'RefundVerified':
    case 'CashRefundApproved':
    case 'RefundExecuted':
      return withRefund(complaint, event);

    default:
      return assertNever(event);
  }
}

import { FireDeadline, PauseLevelClock, ResumeLevelClock } from '../complaint/complaint.commands';
import { ComplaintEvent } from '../complaint/complaint.events';
import { ComplaintCase } from '../complaint/complaint.state';
import { escalated, escalationTarget } from '../complaint/escalation';
import { JudgingPolicies } from '../policy/complaint-policy';
import { CommandRefused } from '../shared/domain-error';
import { addMinutes, minutesBetween, notAfter } from '../shared/time';
import { isAnswered, pendingDeadlines } from './deadline';

/**
 * Fires a deadline the scheduler found due. Idempotent by construction: a
 * deadline fires only while it is pending in the complaint's own state, so
 * one that already fired, or whose clock stopped or moved, writes nothing;
 * two schedulers racing are settled by the stream's expected revision.
 */
export function fireDeadline(command: FireDeadline, complaint: ComplaintCase, policies: JudgingPolicies): ComplaintEvent[] {
  const policy = policies.own;
  const { deadline } = command.data;
  const { now } = command.context;
  const pending = pendingDeadlines(complaint, policy, policies.of).find((d) => d.id === deadline.id);
  if (!pending || !notAfter(pending.fireAt, now)) return [];
  const base = { complaintId: complaint.id, deadlineId: pending.id };
  if (pending.mark !== 'due') {
    return [{ type: 'ClockWarningReached', data: { ...base, clock: pending.clock, subject: pending.subject, mark: pending.mark, dueAt: pending.dueAt, reachedAt: now } }];
  }
  switch (pending.clock) {
    case 'work_order_reply': {
      const workOrderId = pending.subject.slice(0, pending.subject.lastIndexOf('#'));
      const order = complaint.workOrders.find((w) => w.id === workOrderId)!;
      const hop = order.hops[order.hops.length - 1];
      const miss = complaint.workOrderMisses + 1;
      const overdue: ComplaintEvent = {
        type: 'WorkOrderReplyOverdue',
        data: { ...base, workOrderId, hop: hop.hop, department: hop.department, dueAt: pending.dueAt, miss, recordedAt: now },
      };
      const to = escalationTarget(complaint, 'work_order_overdue', policy, miss);
      const reason = `work order ${workOrderId} was not answered by ${hop.department} within its hour (miss ${miss} on this complaint)`;
      return to ? [overdue, escalated(complaint, to, 'work_order_overdue', reason, now, pending.id)] : [overdue];
    }
    case 'level':
      return [{ type: 'ComplaintLevelOverdue', data: { ...base, level: complaint.level, dueAt: pending.dueAt, recordedAt: now } }];
    case 'appeal_risk':
      return [{ type: 'AppealRiskReached', data: { ...base, appealRiskAt: pending.dueAt, recordedAt: now } }];
    case 'refund_verification':
      return [{ type: 'RefundVerificationOverdue', data: { ...base, refundId: pending.subject, verifyDueAt: pending.dueAt, recordedAt: now } }];
    case 'callback': {
      const [callbackId, attempt] = pending.subject.split('@');
      return [{ type: 'CallbackOverdue', data: { ...base, callbackId, attempt: Number(attempt), dueAt: pending.dueAt, recordedAt: now } }];
    }
    case 'query_answer':
      return [{ type: 'CustomerQueryOverdue', data: { ...base, queryId: pending.subject, answerDueAt: pending.dueAt, recordedAt: now } }];
  }
}

/** Waiting for the customer: the level clock stops, with a reason (§17 step 7 keeps the customer informed meanwhile). */
export function pauseLevelClock(command: PauseLevelClock, complaint: ComplaintCase): ComplaintEvent[] {
  if (complaint.levelClock.pausedSince) {
    throw new CommandRefused('clock.already_paused', `the level clock of complaint ${complaint.id} has been paused since ${complaint.levelClock.pausedSince}`);
  }
  if (isAnswered(complaint)) {
    throw new CommandRefused('clock.stopped', `complaint ${complaint.id} is ${complaint.status}: its level clock has stopped`);
  }
  return [{ type: 'LevelClockPaused', data: { complaintId: complaint.id, reason: command.data.reason, pausedAt: command.context.now } }];
}

/** The clock runs again; the paused time does not count, so the due time moves by it. */
export function resumeLevelClock(command: ResumeLevelClock, complaint: ComplaintCase): ComplaintEvent[] {
  const since = complaint.levelClock.pausedSince;
  if (!since) throw new CommandRefused('clock.not_paused', `the level clock of complaint ${complaint.id} is not paused`);
  const pausedMinutes = Math.max(0, minutesBetween(since, command.context.now));
  return [{ type: 'LevelClockResumed', data: { complaintId: complaint.id, resumedAt: command.context.now, pausedMinutes, dueAt: addMinutes(complaint.dueAt, pausedMinutes) } }];
}

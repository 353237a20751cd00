import { CompleteCallback } from '../complaint/complaint.commands';
import { ComplaintEvent } from '../complaint/complaint.events';
import { ComplaintCase } from '../complaint/complaint.state';
import { escalated, escalationTarget } from '../complaint/escalation';
import { clockPolicyVersion, ComplaintPolicy, JudgingPolicies } from '../policy/complaint-policy';
import { CommandRefused, NotFound } from '../shared/domain-error';
import { addMinutes, Instant } from '../shared/time';

/**
 * Callbacks (回访, §17 step 9): once a complaint is archived the customer is
 * called back; each resolution cycle has its own callback. Unreachable
 * retries a few times a few hours apart; unsatisfied reopens the complaint to
 * the branch customer supervisor.
 */
export type CallbackOutcome = 'satisfied' | 'unsatisfied' | 'unreachable';

export interface CallbackState {
  id: string;
  cycle: number;
  status: 'scheduled' | 'completed';
  attempt: number;
  dueAt: Instant;
  /** the policy version the current attempt's clock is judged by, when not the complaint's own */
  policyVersion?: string;
  outcome?: CallbackOutcome;
  attempts: { attempt: number; outcome: CallbackOutcome; notes?: string; at: Instant }[];
  overdue?: boolean;
}

export function callbackId(complaintId: string, cycle: number): string {
  return `${complaintId}.cb${cycle}`;
}

/** the callback the archiving of this cycle schedules; `policy`, the one in force now, judges its clock */
export function scheduleCallback(complaint: ComplaintCase, archivedAt: Instant, policy: ComplaintPolicy): ComplaintEvent {
  return {
    type: 'CallbackScheduled',
    data: {
      complaintId: complaint.id,
      callbackId: callbackId(complaint.id, complaint.cycle),
      cycle: complaint.cycle,
      attempt: 1,
      dueAt: addMinutes(archivedAt, policy.callbackWithinMinutes),
      ...clockPolicyVersion(complaint, policy),
    },
  };
}

/**
 * Whether an unreachable customer is tried again is judged by the policy of
 * the attempt just made (in force when it was set); a new attempt is a new
 * clock, judged by the policy in force now; a reopening escalates by the
 * complaint's own ladder.
 */
export function completeCallback(command: CompleteCallback, complaint: ComplaintCase, policies: JudgingPolicies): ComplaintEvent[] {
  const { callbackId: id, outcome, notes } = command.data;
  const { now } = command.context;
  const callback = complaint.callbacks.find((c) => c.id === id);
  if (!callback) throw new NotFound('callback.not_found', `callback ${id} does not exist`);
  if (callback.status === 'completed') {
    throw new CommandRefused('callback.completed', `callback ${id} was completed at its attempt ${callback.attempt}: ${callback.outcome}`);
  }
  const done: ComplaintEvent = { type: 'CallbackCompleted', data: { complaintId: complaint.id, callbackId: id, attempt: callback.attempt, outcome, notes, completedAt: now } };
  switch (outcome) {
    case 'satisfied':
      return [done];
    case 'unreachable':
      if (callback.attempt >= policies.of(callback.policyVersion).callbackMaxAttempts) return [done];
      return [
        done,
        {
          type: 'CallbackRescheduled',
          data: {
            complaintId: complaint.id,
            callbackId: id,
            attempt: callback.attempt + 1,
            dueAt: addMinutes(now, policies.current.callbackRetryMinutes),
            ...clockPolicyVersion(complaint, policies.current),
          },
        },
      ];
    case 'unsatisfied': {
      const reopened: ComplaintEvent = { type: 'ComplaintReopened', data: { complaintId: complaint.id, callbackId: id, cycle: complaint.cycle + 1, reopenedAt: now } };
      const to = escalationTarget(complaint, 'customer_unsatisfied', policies.own);
      const reason = notes ? `unsatisfied at the callback: ${notes}` : 'unsatisfied at the callback';
      return to ? [done, reopened, escalated(complaint, to, 'customer_unsatisfied', reason, now)] : [done, reopened];
    }
  }
}

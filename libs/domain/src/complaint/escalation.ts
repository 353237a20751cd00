import { ComplaintPolicy } from '../policy/complaint-policy';
import { Instant } from '../shared/time';
import { ComplaintEscalated } from './complaint.events';
import { ComplaintCase } from './complaint.state';
import { EscalationTier, EscalationTrigger } from './complaint.types';

const rank = (policy: ComplaintPolicy, tier: EscalationTier) => policy.escalationLadder.indexOf(tier);

/**
 * The escalation ladder (a policy): a missed work-order reply goes to the
 * dispatching branch's supervisor, a second one to the branch customer
 * supervisor, a third to marketing customer-service management; a customer
 * unsatisfied with the answer goes to the branch customer supervisor (or one
 * rung above whoever holds it already); a manual escalation climbs one rung;
 * consumer-association and provincial complaints go straight to the top.
 * Never down, never to the rung it is on: `undefined` then.
 */
export function escalationTarget(complaint: ComplaintCase, trigger: EscalationTrigger, policy: ComplaintPolicy, miss = 0): EscalationTier | undefined {
  const ladder = policy.escalationLadder;
  const top = ladder[ladder.length - 1];
  const current = rank(policy, complaint.tier);
  const next = current >= 0 && current < ladder.length - 1 ? ladder[current + 1] : undefined;
  let target: EscalationTier | undefined;
  if (policy.raisingChannels.includes(complaint.channel)) target = top;
  else if (trigger === 'manual') target = next;
  else if (trigger === 'customer_unsatisfied') target = rank(policy, policy.escalationOnUnsatisfied) > current ? policy.escalationOnUnsatisfied : next;
  else target = policy.escalationOnWorkOrderMiss[Math.min(miss, policy.escalationOnWorkOrderMiss.length) - 1];
  return target !== undefined && rank(policy, target) > current ? target : undefined;
}

export function escalated(
  complaint: ComplaintCase,
  to: EscalationTier,
  trigger: EscalationTrigger,
  reason: string,
  at: Instant,
  deadlineId?: string,
): ComplaintEscalated {
  return { type: 'ComplaintEscalated', data: { complaintId: complaint.id, from: complaint.tier, to, trigger, reason, escalatedAt: at, ...(deadlineId && { deadlineId }) } };
}

import { ComplaintPolicy } from '../policy/complaint-policy';
import { addMinutes, Instant } from '../shared/time';
import { ComplaintChannel, ComplaintLevel, Customer, LevelRaise } from './complaint.types';

/**
 * §17 rule 10: VIP, group customers, repeat complainants (3+ complaints in 30
 * days) and the consumer-association / provincial channels raise the level by
 * one. The raise is one level however many of these apply, capped at 3.
 */
export function levelRaises(
  input: { customer: Customer; channel: ComplaintChannel; priorComplaints: number },
  policy: ComplaintPolicy,
): LevelRaise[] {
  const raises: LevelRaise[] = [];
  if (input.customer.vip) raises.push('vip');
  if (input.customer.groupCustomer) raises.push('group_customer');
  if (input.priorComplaints >= policy.repeatThreshold) raises.push('repeat_complainant');
  if (policy.raisingChannels.includes(input.channel)) raises.push('raising_channel');
  return raises;
}

export function effectiveLevel(baseLevel: ComplaintLevel, raises: readonly LevelRaise[]): ComplaintLevel {
  return Math.min(3, baseLevel + (raises.length > 0 ? 1 : 0)) as ComplaintLevel;
}

/** The level's time limit runs from registration. */
export function levelDueAt(registeredAt: Instant, level: ComplaintLevel, policy: ComplaintPolicy): Instant {
  return addMinutes(registeredAt, policy.levelTimeLimitMinutes[level]);
}

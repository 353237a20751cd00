import { cmd, deciderSpecification, dispatched, registered, t } from '@complaints/testing';
import { complaintDecider } from '../complaint/complaint.decide';
import { evolveComplaint } from '../complaint/complaint.evolve';
import { ComplaintCase, initialComplaintState } from '../complaint/complaint.state';
import { ComplaintEvent } from '../complaint/complaint.events';
import { pendingDeadlines } from '../deadlines/deadline';
import { DEFAULT_POLICY, judgingPolicies, PolicyBook } from './complaint-policy';

/**
 * A later policy gives departments 30 minutes, the accounts room 5, warns at
 * 80% only and has a shorter level time limit. A clock is judged by the policy
 * in force when it started: a complaint's level clock by the version it was
 * registered under, a department's hour by the one in force at the dispatch.
 */
const OLD = { ...DEFAULT_POLICY, version: '2026.1' };
const NEW = {
  ...DEFAULT_POLICY,
  version: '2027.1',
  workOrderReplyMinutes: 30,
  refundVerifyMinutes: 5,
  warningMarks: ['warn80'] as const,
  levelTimeLimitMinutes: { 1: 24 * 60, 2: 12 * 60, 3: 2 * 60 } as const,
} as typeof DEFAULT_POLICY;
const book: PolicyBook = { [OLD.version]: OLD, [NEW.version]: NEW };
const underOld = deciderSpecification(complaintDecider(OLD, book));
const underNew = deciderSpecification(complaintDecider(NEW, book));
const decideUnderNew = complaintDecider(NEW, book).decide;

const fold = (events: ComplaintEvent[]) => events.reduce(evolveComplaint, initialComplaintState()) as ComplaintCase;
const pending = (events: ComplaintEvent[]) => {
  const complaint = fold(events);
  const judging = judgingPolicies(book[complaint.policyVersion], { current: NEW, book });
  // the work order's clocks (the complaint's own, level and appeal risk, are the old policy's throughout)
  return pendingDeadlines(complaint, judging.own, judging.of)
    .filter((d) => d.clock === 'work_order_reply')
    .map((d) => `${d.subject} ${d.mark} ${d.fireAt.slice(11, 16)}`);
};

describe('versioned policies: a clock is judged by the policy in force when it started', () => {
  it('a new complaint is registered under the policy in force, and its clocks need not say so', () => {
    const [event] = complaintDecider(NEW, book).decide(
      cmd('RegisterComplaint', {
        channel: 'business_hall',
        customer: { msisdn: '13812345678', vip: false, groupCustomer: false, accountType: 'personal' },
        branch: 'ZG',
        category: 'billing',
        description: 'x',
        priorComplaints: 0,
      }),
      { status: 'none' },
    );
    expect(event).toMatchObject({ type: 'ComplaintRegistered', data: { policyVersion: '2027.1', dueAt: '2026-03-03T09:00:00.000Z' } });
    underNew
      .given([registered({ policyVersion: '2027.1' })])
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W1', department: 'billing-center' }, t('09:05')))
      .then([dispatched({ replyDueAt: t('09:35') })]);
  });

  it('under the old policy, a complaint of the old policy gets its hour', () => {
    underOld
      .given([registered({ policyVersion: '2026.1' })])
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W1', department: 'billing-center' }, t('09:05')))
      .then([dispatched()]);
  });

  it('a dispatch after the new policy was put in force gets its 30 minutes, and records the version', () => {
    underNew
      .given([registered({ policyVersion: '2026.1' })])
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W1', department: 'billing-center' }, t('09:05')))
      .then([dispatched({ replyDueAt: t('09:35'), policyVersion: '2027.1' })]);
  });

  it('a reply clock started under the old policy keeps its hour and its warnings; one started under the new has the new', () => {
    const before = [registered({ policyVersion: '2026.1' }), dispatched()];
    expect(pending(before)).toEqual(['W1#1 warn50 09:35', 'W1#1 warn80 09:53', 'W1#1 due 10:05']);
    const forwardedUnderNew = decideUnderNew(cmd('ForwardWorkOrder', { workOrderId: 'W1', department: 'support', reason: 'theirs' }, t('09:20')), fold(before));
    expect(forwardedUnderNew).toEqual([expect.objectContaining({ type: 'WorkOrderForwarded', data: expect.objectContaining({ hop: 2, replyDueAt: t('09:50'), policyVersion: '2027.1' }) })]);
    expect(pending([...before, ...forwardedUnderNew])).toEqual(['W1#2 warn80 09:44', 'W1#2 due 09:50']);
  });

  it("the level clock stays the complaint's own: a reclassification under the new policy moves it by the old limits", () => {
    const events = decideUnderNew(cmd('ClassifyComplaint', { category: 'billing', level: 3 }, t('09:10')), fold([registered({ policyVersion: '2026.1' })]));
    expect(events).toContainEqual(expect.objectContaining({ type: 'ComplaintClassified', data: expect.objectContaining({ level: 3, dueAt: t('13:00') }) }));
  });

  it('a refund requested under the new policy is verified within its 5 minutes', () => {
    const events = decideUnderNew(cmd('RequestRefund', { refundId: 'R1', amountClaimedFen: 1000 }, t('09:10')), fold([registered({ policyVersion: '2026.1' })]));
    expect(events).toEqual([expect.objectContaining({ type: 'RefundRequested', data: expect.objectContaining({ verifyDueAt: t('09:15'), policyVersion: '2027.1' }) })]);
  });
});

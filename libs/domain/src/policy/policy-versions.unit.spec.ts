import { cmd, deciderSpecification, dispatched, registered, t } from '@complaints/testing';
import { complaintDecider } from '../complaint/complaint.decide';
import { DEFAULT_POLICY, PolicyBook } from './complaint-policy';

/** A later policy gives departments 30 minutes and a flatter ladder; complaints registered before keep the old one. */
const OLD = { ...DEFAULT_POLICY, version: '2026.1' };
const NEW = { ...DEFAULT_POLICY, version: '2027.1', workOrderReplyMinutes: 30, levelTimeLimitMinutes: { 1: 24 * 60, 2: 12 * 60, 3: 2 * 60 } as const };
const book: PolicyBook = { [OLD.version]: OLD, [NEW.version]: NEW };
const spec = deciderSpecification(complaintDecider(NEW, book));

describe('versioned policies: a new policy never rewrites history', () => {
  it('a complaint registered under the old policy keeps its one-hour replies', () => {
    spec
      .given([registered({ policyVersion: '2026.1' })])
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W1', department: 'billing-center' }, t('09:05')))
      .then([dispatched()]);
  });

  it('a new complaint is registered under the policy in force and judged by it', () => {
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
    spec
      .given([registered({ policyVersion: '2027.1' })])
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W1', department: 'billing-center' }, t('09:05')))
      .then([dispatched({ replyDueAt: t('09:35') })]);
  });
});

import { ComplaintCase, ComplaintEvent, ComplaintState, complaintDecider, evolveComplaint, fold, initialComplaintState, isRegistered } from '@complaints/domain';
import {
  accepted,
  aCustomer,
  archived,
  cashRefundApproved,
  classified,
  customerReplied,
  dispatched,
  escalated,
  forwarded,
  refundExecuted,
  refundRequested,
  refundVerified,
  registered,
  replied,
  resolvedOnSite,
  returned,
  satisfactionRecorded,
  t,
} from '@complaints/testing';

const decider = complaintDecider();

/**
 * A whole life: classified up a level, W1 forwarded from the billing center to
 * support which answers late and unresolved, the desk returns it and
 * re-dispatches W2, which resolves it; meanwhile a cash refund is paid. The
 * customer is answered, unsatisfied, escalated, then satisfied with an on-site
 * resolution, and the complaint is archived.
 */
const lifecycle: ComplaintEvent[] = [
  registered(), // 09:00
  classified({ baseLevel: 2, level: 2, dueAt: '2026-03-03T09:00:00.000Z' }), // 09:02
  dispatched(), // 09:05 W1 to the billing center, due 10:05
  accepted(), // 09:10
  refundRequested(), // 09:15
  forwarded(), // 09:20 W1 to support, due 10:20
  refundVerified(), // 09:20
  cashRefundApproved(), // 09:22
  refundExecuted({ method: 'cash', formSigned: true, idChecked: true }), // 09:30
  replied({ department: 'support', opinion: 'no rating fault found', resolved: false, repliedAt: t('10:30'), hop: 2, onTime: false }),
  returned({ department: 'support', reason: 'the charge is still on the bill', returnedAt: t('10:35') }),
  customerReplied({ method: 'phone', content: 'we are checking again', final: false, repliedAt: t('10:36') }),
  dispatched({ workOrderId: 'W2', dispatchedAt: t('10:40'), replyDueAt: t('11:40') }),
  replied({ workOrderId: 'W2', opinion: 'duplicate charge reversed', repliedAt: t('11:00') }),
  customerReplied({ content: 'the duplicate charge is reversed', repliedAt: t('11:10') }),
  satisfactionRecorded({ satisfied: false, comment: 'I want compensation', recordedAt: t('11:20') }),
  escalated({ reason: 'customer not satisfied: I want compensation', escalatedAt: t('11:20') }),
  resolvedOnSite({ resolution: 'supervisor explained and offered a data voucher', resolvedAt: t('11:50') }),
  satisfactionRecorded({ recordedAt: t('12:00') }),
  archived({ archivedAt: t('12:05') }),
];

function statusesAlong(events: ComplaintEvent[]): ComplaintState['status'][] {
  const statuses: ComplaintState['status'][] = [];
  events.reduce((state, event) => {
    const next = evolveComplaint(state, event);
    statuses.push(next.status);
    return next;
  }, initialComplaintState());
  return statuses;
}

/** The case the events tell, failing the test when they tell none. */
function caseAfter(events: ComplaintEvent[]): ComplaintCase {
  const state = fold(decider, events);
  if (!isRegistered(state)) throw new Error('expected a registered complaint');
  return state;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    Object.values(value).forEach(deepFreeze);
  }
  return value;
}

describe('folding a complaint', () => {
  it('starts from nothing', () => {
    expect(fold(decider, [])).toEqual({ status: 'none' });
  });

  it('opens the case at registration, held by the desk in its first cycle', () => {
    expect(fold(decider, [registered()])).toEqual({
      status: 'registered',
      id: 'C-1',
      channel: 'business_hall',
      customer: aCustomer(),
      branch: 'city-east',
      hall: 'hall-01',
      category: 'billing',
      description: 'charged twice for the March data package',
      contact: { phone: '13812345678', preferredMethod: 'sms' },
      baseLevel: 1,
      level: 1,
      levelRaisedBy: [],
      priorComplaints: 0,
      registeredAt: '2026-03-02T09:00:00.000Z',
      dueAt: '2026-03-04T09:00:00.000Z',
      appealRiskAt: '2026-03-17T09:00:00.000Z',
      policyVersion: '2026.1',
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
    });
  });

  it('passes through the statuses of its life', () => {
    expect(statusesAlong(lifecycle)).toEqual([
      'registered', // registered
      'registered', // classified
      'dispatched', // W1 dispatched
      'dispatched', // accepted
      'dispatched', // refund requested
      'dispatched', // forwarded
      'dispatched', // refund verified
      'dispatched', // cash approved
      'dispatched', // refund executed
      'in_progress', // W1 answered, unresolved
      'in_progress', // W1 returned
      'in_progress', // interim reply
      'dispatched', // W2 dispatched
      'resolved', // W2 resolved it
      'answered', // final answer
      'in_progress', // not satisfied: a new cycle
      'in_progress', // escalated
      'answered', // resolved on site
      'satisfied', // satisfied
      'archived', // archived
    ]);
  });

  it('ends with the whole story: work orders with their hops, the refund, the replies, the escalation', () => {
    expect(fold(decider, lifecycle)).toEqual({
      status: 'archived',
      id: 'C-1',
      channel: 'business_hall',
      customer: aCustomer(),
      branch: 'city-east',
      hall: 'hall-01',
      category: 'billing',
      subcategory: 'double-charge',
      description: 'charged twice for the March data package',
      contact: { phone: '13812345678', preferredMethod: 'sms' },
      baseLevel: 2,
      level: 2,
      levelRaisedBy: [],
      priorComplaints: 0,
      registeredAt: t('09:00'),
      dueAt: '2026-03-03T09:00:00.000Z',
      appealRiskAt: '2026-03-17T09:00:00.000Z',
      policyVersion: '2026.1',
      tier: 'branch-customer-supervisor',
      escalations: [
        { from: 'desk', to: 'branch-customer-supervisor', trigger: 'customer_unsatisfied', reason: 'customer not satisfied: I want compensation', escalatedAt: t('11:20') },
      ],
      workOrders: [
        {
          id: 'W1',
          status: 'returned',
          department: 'support',
          dispatchedAt: t('09:05'),
          replyDueAt: t('10:20'),
          repliedAt: t('10:30'),
          opinion: 'no rating fault found',
          resolved: false,
          returnedAt: t('10:35'),
          returnReason: 'the charge is still on the bill',
          hops: [
            { hop: 1, department: 'billing-center', startedAt: t('09:05'), replyDueAt: t('10:05'), endedAt: t('09:20'), outcome: 'forwarded' },
            { hop: 2, department: 'support', startedAt: t('09:20'), replyDueAt: t('10:20'), endedAt: t('10:30'), outcome: 'replied' },
          ],
        },
        {
          id: 'W2',
          status: 'replied',
          department: 'billing-center',
          dispatchedAt: t('10:40'),
          replyDueAt: t('11:40'),
          repliedAt: t('11:00'),
          opinion: 'duplicate charge reversed',
          resolved: true,
          hops: [{ hop: 1, department: 'billing-center', startedAt: t('10:40'), replyDueAt: t('11:40'), endedAt: t('11:00'), outcome: 'replied' }],
        },
      ],
      refunds: [
        {
          id: 'R1',
          status: 'executed',
          amountClaimedFen: 2000,
          accountType: 'personal',
          requestedAt: t('09:15'),
          verifyDueAt: t('09:25'),
          verifiedAt: t('09:20'),
          amountFen: 2000,
          cashApprovedBy: 'manager-007',
          cashApprovedAt: t('09:22'),
          method: 'cash',
          executedAt: t('09:30'),
        },
      ],
      customerReplies: [
        { method: 'phone', content: 'we are checking again', final: false, repliedAt: t('10:36') },
        { method: 'sms', content: 'the duplicate charge is reversed', final: true, repliedAt: t('11:10') },
      ],
      resolution: { source: 'on_site', text: 'supervisor explained and offered a data voucher', resolvedAt: t('11:50') },
      satisfaction: { satisfied: true, recordedAt: t('12:00') },
      cycle: 2,
      cycleStartedAt: t('11:20'),
      callbacks: [],
      queries: [],
      firedDeadlines: [],
      workOrderMisses: 0,
      levelClock: { pausedMinutes: 0 },
      archivedAt: t('12:05'),
    });
  });

  it('forgets the acceptance of the department that forwarded the order', () => {
    const [workOrder] = caseAfter([registered(), dispatched(), accepted(), forwarded()]).workOrders;
    expect(workOrder).toMatchObject({ status: 'dispatched', department: 'support', replyDueAt: t('10:20') });
    expect(workOrder.acceptedAt).toBeUndefined();
  });

  it('drops the resolution and opens a new cycle when the customer is not satisfied', () => {
    const complaint = caseAfter([registered(), resolvedOnSite(), satisfactionRecorded({ satisfied: false })]);
    expect(complaint).toMatchObject({ status: 'in_progress', cycle: 2, satisfaction: { satisfied: false } });
    expect(complaint.resolution).toBeUndefined();
  });

  it('refuses to fold an event before the registration: the stream is corrupt', () => {
    expect(() => fold(decider, [dispatched()])).toThrow('WorkOrderDispatched before the complaint was registered');
  });

  it('refuses to fold a work-order or refund event about one that never started', () => {
    expect(() => fold(decider, [registered(), accepted({ workOrderId: 'W7' })])).toThrow('WorkOrderAccepted for work order W7 before it was dispatched');
    expect(() => fold(decider, [registered(), refundVerified({ refundId: 'R7' })])).toThrow('RefundVerified for refund R7 before it was requested');
  });
});

describe('evolve is deterministic', () => {
  it('gives the same state from the same events, every time', () => {
    expect(fold(decider, lifecycle)).toEqual(fold(decider, lifecycle));
  });

  it('gives the same state whether the stream is read at once or resumed from a snapshot', () => {
    const snapshot = fold(decider, lifecycle.slice(0, 10));
    const resumed = lifecycle.slice(10).reduce(evolveComplaint, snapshot);
    expect(resumed).toEqual(fold(decider, lifecycle));
  });

  it('changes neither the events nor the earlier states', () => {
    const events = deepFreeze(structuredClone(lifecycle));
    const frozenFold = () => events.reduce((state, event) => deepFreeze(evolveComplaint(state, event)), deepFreeze(initialComplaintState()));
    expect(frozenFold).not.toThrow();
    expect(frozenFold()).toEqual(fold(decider, lifecycle));
    expect(events).toEqual(lifecycle);
  });
});

import { CommandRefused, ComplaintCase, ComplaintEvent, complaintDecider, fold, isRegistered, NotFound } from '@complaints/domain';
import {
  accepted,
  aComplaintInProgress,
  aDispatchedComplaint,
  anAnsweredComplaint,
  aRegisteredComplaint,
  aResolvedComplaint,
  aSatisfiedComplaint,
  cmd,
  customerReplied,
  deciderSpecification,
  dispatched,
  escalated,
  forwarded,
  replied,
  returned,
  satisfactionRecorded,
  t,
} from '@complaints/testing';

const decider = complaintDecider();
const spec = deciderSpecification(decider);

/** The complaint as its stream tells it. */
function complaintAfter(events: ComplaintEvent[]): ComplaintCase {
  const state = fold(decider, events);
  if (!isRegistered(state)) throw new Error('expected a registered complaint');
  return state;
}

describe('dispatching a work order', () => {
  it('sends it to the department with one hour to reply', () => {
    spec
      .given(aRegisteredComplaint())
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W1', department: 'billing-center', note: 'customer prefers SMS' }, t('09:05')))
      .then([
        {
          type: 'WorkOrderDispatched',
          data: {
            complaintId: 'C-1',
            workOrderId: 'W1',
            department: 'billing-center',
            note: 'customer prefers SMS',
            dispatchedAt: '2026-03-02T09:05:00.000Z',
            hop: 1,
            replyDueAt: '2026-03-02T10:05:00.000Z',
          },
        },
      ]);
  });

  it('sends a second order to another department while the first is open', () => {
    spec
      .given(aDispatchedComplaint())
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W2', department: 'support' }, t('09:06')))
      .then([dispatched({ workOrderId: 'W2', department: 'support', dispatchedAt: t('09:06'), replyDueAt: t('10:06') })]);
  });

  it('re-dispatches to the same department after the desk returned its order', () => {
    spec
      .given([...aResolvedComplaint(), returned()])
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W2', department: 'billing-center' }, t('09:50')))
      .then([dispatched({ workOrderId: 'W2', dispatchedAt: t('09:50'), replyDueAt: t('10:50') })]);
  });

  it('re-dispatches after an unresolved reply', () => {
    spec
      .given(aComplaintInProgress())
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W2', department: 'support' }, t('09:50')))
      .then([dispatched({ workOrderId: 'W2', department: 'support', dispatchedAt: t('09:50'), replyDueAt: t('10:50') })]);
  });

  it('refuses a department the policy does not know', () => {
    spec
      .given(aRegisteredComplaint())
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W1', department: 'canteen' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('department.unknown'));
  });

  it.each([
    ['waiting for it', aDispatchedComplaint()],
    ['working on it', [...aDispatchedComplaint(), accepted()]],
  ])('refuses a second order to a department already %s', (_state, history) => {
    spec
      .given(history)
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W2', department: 'billing-center' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('work_order.already_open'));
  });

  it.each([
    ['resolved', aResolvedComplaint()],
    ['answered', anAnsweredComplaint()],
    ['satisfied', aSatisfiedComplaint()],
  ])('refuses a complaint that is %s', (_status, history) => {
    spec
      .given(history)
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W2', department: 'support' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('complaint.not_dispatchable'));
  });

  it.each([
    ['open', aDispatchedComplaint()],
    ['returned', [...aResolvedComplaint(), returned()]],
  ])('refuses an id already used by an order that is %s', (_state, history) => {
    spec
      .given(history)
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W1', department: 'support' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('work_order.already_exists'));
  });
});

describe('a work order that does not exist', () => {
  it.each([
    cmd('AcceptWorkOrder', { workOrderId: 'W9' }),
    cmd('ForwardWorkOrder', { workOrderId: 'W9', department: 'support', reason: 'not ours' }),
    cmd('ReplyToWorkOrder', { workOrderId: 'W9', opinion: 'fixed', resolved: true }),
    cmd('ReturnWorkOrder', { workOrderId: 'W9', reason: 'not effective' }),
  ])('is not found by $type', (command) => {
    spec
      .given(aDispatchedComplaint())
      .when(command)
      .thenThrows(NotFound, (e) => expect(e.code).toBe('work_order.not_found'));
  });
});

describe('accepting a work order', () => {
  it('records that the department took it', () => {
    spec
      .given(aDispatchedComplaint())
      .when(cmd('AcceptWorkOrder', { workOrderId: 'W1' }, t('09:10')))
      .then([accepted()]);
  });

  it('does nothing when the acceptance is sent again', () => {
    spec
      .given([...aDispatchedComplaint(), accepted()])
      .when(cmd('AcceptWorkOrder', { workOrderId: 'W1' }, t('09:11')))
      .thenNothingHappens();
  });

  it('is accepted afresh by the department it was forwarded to', () => {
    spec
      .given([...aDispatchedComplaint(), accepted(), forwarded()])
      .when(cmd('AcceptWorkOrder', { workOrderId: 'W1' }, t('09:25')))
      .then([accepted({ department: 'support', acceptedAt: t('09:25') })]);
  });

  it('refuses an order already replied to', () => {
    spec
      .given(aResolvedComplaint())
      .when(cmd('AcceptWorkOrder', { workOrderId: 'W1' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('work_order.already_replied'));
  });

  it('refuses an order returned to the desk', () => {
    spec
      .given([...aResolvedComplaint(), returned()])
      .when(cmd('AcceptWorkOrder', { workOrderId: 'W1' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('work_order.returned'));
  });
});

describe('forwarding a work order', () => {
  it('opens a new hop at the responsible department with its own hour', () => {
    spec
      .given([...aDispatchedComplaint(), accepted()])
      .when(cmd('ForwardWorkOrder', { workOrderId: 'W1', department: 'support', reason: 'the rating rule belongs to the support systems' }, t('09:20')))
      .then([
        {
          type: 'WorkOrderForwarded',
          data: {
            complaintId: 'C-1',
            workOrderId: 'W1',
            fromDepartment: 'billing-center',
            toDepartment: 'support',
            reason: 'the rating rule belongs to the support systems',
            forwardedAt: '2026-03-02T09:20:00.000Z',
            hop: 2,
            replyDueAt: '2026-03-02T10:20:00.000Z',
          },
        },
      ]);
  });

  it('counts every hop', () => {
    spec
      .given([...aDispatchedComplaint(), forwarded()])
      .when(cmd('ForwardWorkOrder', { workOrderId: 'W1', department: 'data', reason: 'an SP subscription' }, t('09:30')))
      .then([forwarded({ fromDepartment: 'support', toDepartment: 'data', reason: 'an SP subscription', forwardedAt: t('09:30'), hop: 3, replyDueAt: t('10:30') })]);
  });

  it('refuses to forward an order to the department holding it', () => {
    spec
      .given(aDispatchedComplaint())
      .when(cmd('ForwardWorkOrder', { workOrderId: 'W1', department: 'billing-center', reason: 'again' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('work_order.forward_to_self'));
  });

  it('refuses a department the policy does not know', () => {
    spec
      .given(aDispatchedComplaint())
      .when(cmd('ForwardWorkOrder', { workOrderId: 'W1', department: 'canteen', reason: 'lunch' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('department.unknown'));
  });

  it('refuses an order already replied to', () => {
    spec
      .given(aResolvedComplaint())
      .when(cmd('ForwardWorkOrder', { workOrderId: 'W1', department: 'support', reason: 'second opinion' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('work_order.already_replied'));
  });

  it('refuses an order returned to the desk', () => {
    spec
      .given([...aResolvedComplaint(), returned()])
      .when(cmd('ForwardWorkOrder', { workOrderId: 'W1', department: 'support', reason: 'second opinion' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('work_order.returned'));
  });
});

describe('replying to a work order', () => {
  it('records a resolving reply within the hour as on time', () => {
    spec
      .given([...aDispatchedComplaint(), accepted()])
      .when(cmd('ReplyToWorkOrder', { workOrderId: 'W1', opinion: 'duplicate charge confirmed and reversed', resolved: true }, t('09:40')))
      .then([
        {
          type: 'WorkOrderReplied',
          data: {
            complaintId: 'C-1',
            workOrderId: 'W1',
            department: 'billing-center',
            opinion: 'duplicate charge confirmed and reversed',
            resolved: true,
            repliedAt: '2026-03-02T09:40:00.000Z',
            hop: 1,
            onTime: true,
          },
        },
      ]);
  });

  it('counts a reply at the last minute of the hour as on time', () => {
    spec
      .given(aDispatchedComplaint())
      .when(cmd('ReplyToWorkOrder', { workOrderId: 'W1', opinion: 'no fault found', resolved: false }, t('10:05')))
      .then([replied({ opinion: 'no fault found', resolved: false, repliedAt: t('10:05'), onTime: true })]);
  });

  it('records a reply after the hour as late', () => {
    spec
      .given(aDispatchedComplaint())
      .when(cmd('ReplyToWorkOrder', { workOrderId: 'W1', opinion: 'reversed', resolved: true }, t('10:06')))
      .then([replied({ opinion: 'reversed', repliedAt: t('10:06'), onTime: false })]);
  });

  it('judges a forwarded order by the hour of the department holding it', () => {
    spec
      .given([...aDispatchedComplaint(), forwarded({ forwardedAt: t('09:50'), replyDueAt: t('10:50') })])
      .when(cmd('ReplyToWorkOrder', { workOrderId: 'W1', opinion: 'rating rule corrected', resolved: true }, t('10:30')))
      .then([replied({ department: 'support', opinion: 'rating rule corrected', repliedAt: t('10:30'), hop: 2, onTime: true })]);
  });

  it('refuses a second reply and says when the first came', () => {
    spec
      .given(aResolvedComplaint())
      .when(cmd('ReplyToWorkOrder', { workOrderId: 'W1', opinion: 'again', resolved: true }, t('09:50')))
      .thenThrows(CommandRefused, (e) => {
        expect(e.code).toBe('work_order.already_replied');
        expect(e.reason).toBe('cannot reply: work order W1 was already answered at 2026-03-02T09:40:00.000Z');
      });
  });

  it('refuses an order returned to the desk', () => {
    spec
      .given([...aResolvedComplaint(), returned()])
      .when(cmd('ReplyToWorkOrder', { workOrderId: 'W1', opinion: 'again', resolved: true }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('work_order.returned'));
  });
});

describe('returning a work order to the desk', () => {
  it('returns an answer the desk judged not effective', () => {
    spec
      .given(aResolvedComplaint())
      .when(cmd('ReturnWorkOrder', { workOrderId: 'W1', reason: 'the charge is still on the bill' }, t('09:45')))
      .then([
        {
          type: 'WorkOrderReturned',
          data: { complaintId: 'C-1', workOrderId: 'W1', department: 'billing-center', reason: 'the charge is still on the bill', returnedAt: '2026-03-02T09:45:00.000Z' },
        },
      ]);
  });

  it('returns an unresolved answer', () => {
    spec
      .given(aComplaintInProgress())
      .when(cmd('ReturnWorkOrder', { workOrderId: 'W1', reason: 'check the March bill, not February' }, t('09:45')))
      .then([returned({ reason: 'check the March bill, not February' })]);
  });

  it.each([
    ['waiting for its department', aDispatchedComplaint()],
    ['accepted', [...aDispatchedComplaint(), accepted()]],
  ])('refuses an order %s: there is no reply to judge yet', (_state, history) => {
    spec
      .given(history)
      .when(cmd('ReturnWorkOrder', { workOrderId: 'W1', reason: 'too slow' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('work_order.not_replied'));
  });

  it('refuses to return an order twice', () => {
    spec
      .given([...aResolvedComplaint(), returned()])
      .when(cmd('ReturnWorkOrder', { workOrderId: 'W1', reason: 'again' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('work_order.returned'));
  });

  it.each([
    ['answered', anAnsweredComplaint()],
    ['satisfied', aSatisfiedComplaint()],
  ])('refuses once the customer was %s', (_status, history) => {
    spec
      .given(history)
      .when(cmd('ReturnWorkOrder', { workOrderId: 'W1', reason: 'second thoughts' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('complaint.already_answered'));
  });
});

describe('what work orders do to the complaint', () => {
  it('is dispatched while an order is with a department, accepted or forwarded', () => {
    expect(complaintAfter(aDispatchedComplaint()).status).toBe('dispatched');
    expect(complaintAfter([...aDispatchedComplaint(), accepted()]).status).toBe('dispatched');
    expect(complaintAfter([...aDispatchedComplaint(), accepted(), forwarded()]).status).toBe('dispatched');
  });

  it('is resolved by a resolving reply when no other order is open', () => {
    const complaint = complaintAfter(aResolvedComplaint());
    expect(complaint.status).toBe('resolved');
    expect(complaint.resolution).toEqual({ source: 'work_order', text: 'duplicate charge confirmed and reversed', resolvedAt: t('09:40'), workOrderId: 'W1' });
  });

  it('stays dispatched after a resolving reply while another order is open, and is resolved when that one answers', () => {
    const twoOrders = [...aDispatchedComplaint(), dispatched({ workOrderId: 'W2', department: 'support' }), replied()];
    expect(complaintAfter(twoOrders).status).toBe('dispatched');
    expect(complaintAfter(twoOrders).resolution?.workOrderId).toBe('W1');

    const bothAnswered = [...twoOrders, replied({ workOrderId: 'W2', department: 'support', resolved: false, repliedAt: t('09:50') })];
    expect(complaintAfter(bothAnswered).status).toBe('resolved');
  });

  it('is back in progress after an unresolved reply', () => {
    const complaint = complaintAfter(aComplaintInProgress());
    expect(complaint.status).toBe('in_progress');
    expect(complaint.resolution).toBeUndefined();
  });

  it('is back in progress after a return, which drops the resolution the order brought', () => {
    const complaint = complaintAfter([...aResolvedComplaint(), returned()]);
    expect(complaint.status).toBe('in_progress');
    expect(complaint.resolution).toBeUndefined();
    expect(complaint.workOrders[0]).toMatchObject({ status: 'returned', returnedAt: t('09:45'), returnReason: 'the charge is still on the bill' });
  });

  it('stays dispatched after a return while another order is open', () => {
    const history = [...aResolvedComplaint(), dispatched({ workOrderId: 'W2', department: 'support', dispatchedAt: t('09:41'), replyDueAt: t('10:41') }), returned()];
    expect(complaintAfter(history).status).toBe('dispatched');
  });

  it("stays resolved by another order's answer when the desk returns the one that came after it", () => {
    const history = [
      ...aDispatchedComplaint(),
      dispatched({ workOrderId: 'W2', department: 'support' }),
      replied(), // W1 resolves it at 09:40
      replied({ workOrderId: 'W2', department: 'support', opinion: 'rating rule corrected', repliedAt: t('09:50') }),
      returned({ workOrderId: 'W2', department: 'support', reason: 'the rating rule was never wrong', returnedAt: t('09:55') }),
    ];
    const complaint = complaintAfter(history);
    expect(complaint.status).toBe('resolved');
    expect(complaint.resolution).toEqual({ source: 'work_order', text: 'duplicate charge confirmed and reversed', resolvedAt: t('09:40'), workOrderId: 'W1' });
    spec
      .given(history)
      .when(cmd('ReplyToCustomer', { method: 'sms', content: 'the duplicate charge is reversed' }, t('10:00')))
      .then([customerReplied()]);
  });

  it('does not bring back an answer the customer was not satisfied with when a later order is returned', () => {
    const history = [
      ...anAnsweredComplaint(), // W1 resolved it in the first cycle
      satisfactionRecorded({ satisfied: false }),
      escalated(),
      dispatched({ workOrderId: 'W2', department: 'branch-customer-supervisor', dispatchedAt: t('10:40'), replyDueAt: t('11:40') }),
      replied({ workOrderId: 'W2', department: 'branch-customer-supervisor', opinion: 'voucher offered', repliedAt: t('11:00') }),
      returned({ workOrderId: 'W2', department: 'branch-customer-supervisor', reason: 'the customer refuses vouchers', returnedAt: t('11:05') }),
    ];
    const complaint = complaintAfter(history);
    expect(complaint.status).toBe('in_progress');
    expect(complaint.resolution).toBeUndefined();
  });

  it('can be resolved again by the order re-dispatched after a return', () => {
    const history = [
      ...aResolvedComplaint(),
      returned(),
      dispatched({ workOrderId: 'W2', dispatchedAt: t('09:50'), replyDueAt: t('10:50') }),
      replied({ workOrderId: 'W2', opinion: 'the charge is reversed on the March bill', repliedAt: t('10:20') }),
    ];
    const complaint = complaintAfter(history);
    expect(complaint.status).toBe('resolved');
    expect(complaint.resolution?.workOrderId).toBe('W2');
    spec
      .given(history)
      .when(cmd('ReplyToCustomer', { method: 'sms', content: 'reversed on your March bill' }, t('10:25')))
      .then([customerReplied({ content: 'reversed on your March bill', repliedAt: t('10:25') })]);
  });

  it('takes a new order after an unsatisfied customer reopened it', () => {
    spec
      .given([...anAnsweredComplaint(), satisfactionRecorded({ satisfied: false }), escalated()])
      .when(cmd('DispatchWorkOrder', { workOrderId: 'W2', department: 'branch-customer-supervisor' }, t('10:31')))
      .then([dispatched({ workOrderId: 'W2', department: 'branch-customer-supervisor', dispatchedAt: t('10:31'), replyDueAt: t('11:31') })]);
  });
});

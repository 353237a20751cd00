import { anArchivedComplaint, archived, callbackScheduled, cmd, COMPLAINT_ID, deciderSpecification, t } from '@complaints/testing';
import { complaintDecider } from '../complaint/complaint.decide';
import { ComplaintEvent } from '../complaint/complaint.events';
import { evolveComplaint } from '../complaint/complaint.evolve';
import { ComplaintCase, initialComplaintState } from '../complaint/complaint.state';
import { pendingDeadlines } from '../deadlines/deadline';
import { DEFAULT_POLICY } from '../policy/complaint-policy';
import { CommandRefused, NotFound } from '../shared/domain-error';

const spec = deciderSpecification(complaintDecider());
const CB = `${COMPLAINT_ID}.cb1`;
const afterArchive = (): ComplaintEvent[] => [...anArchivedComplaint(), callbackScheduled()];
const complete = (outcome: 'satisfied' | 'unsatisfied' | 'unreachable', at = t('15:00'), notes?: string) =>
  cmd('CompleteCallback', { callbackId: CB, outcome, ...(notes && { notes }) }, at);
const completed = (attempt: number, outcome: string, at = t('15:00'), notes?: string): ComplaintEvent =>
  ({ type: 'CallbackCompleted', data: { complaintId: COMPLAINT_ID, callbackId: CB, attempt, outcome, notes, completedAt: at } }) as ComplaintEvent;

describe('callbacks (回访)', () => {
  it('archiving schedules the callback of the cycle within 24 hours, a clock with its own deadlines', () => {
    spec.given(anArchivedComplaint().filter((e) => e.type !== 'ComplaintArchived')).when(cmd('ArchiveComplaint', {}, t('10:35'))).then([archived(), callbackScheduled()]);
    const state = afterArchive().reduce(evolveComplaint, initialComplaintState()) as ComplaintCase;
    expect(pendingDeadlines(state, DEFAULT_POLICY).map((d) => [d.clock, d.mark, d.fireAt])).toEqual([
      ['callback', 'warn50', '2026-03-02T22:35:00.000Z'],
      ['callback', 'warn80', '2026-03-03T05:47:00.000Z'],
      ['callback', 'due', '2026-03-03T10:35:00.000Z'],
    ]);
  });

  it('satisfied: done', () => {
    spec.given(afterArchive()).when(complete('satisfied')).then([completed(1, 'satisfied')]);
  });

  it('unreachable: tried again two hours later, up to three attempts', () => {
    spec
      .given(afterArchive())
      .when(complete('unreachable'))
      .then([completed(1, 'unreachable'), { type: 'CallbackRescheduled', data: { complaintId: COMPLAINT_ID, callbackId: CB, attempt: 2, dueAt: t('17:00') } }]);
    const twice: ComplaintEvent[] = [
      ...afterArchive(),
      completed(1, 'unreachable'),
      { type: 'CallbackRescheduled', data: { complaintId: COMPLAINT_ID, callbackId: CB, attempt: 2, dueAt: t('17:00') } },
      completed(2, 'unreachable', t('17:00')),
      { type: 'CallbackRescheduled', data: { complaintId: COMPLAINT_ID, callbackId: CB, attempt: 3, dueAt: t('19:00') } },
    ];
    spec.given(twice).when(complete('unreachable', t('19:00'))).then([completed(3, 'unreachable', t('19:00'))]);
  });

  it('unsatisfied: the complaint reopens in a new cycle, to the branch customer supervisor', () => {
    spec
      .given(afterArchive())
      .when(complete('unsatisfied', t('15:00'), 'the credit never came'))
      .then([
        completed(1, 'unsatisfied', t('15:00'), 'the credit never came'),
        { type: 'ComplaintReopened', data: { complaintId: COMPLAINT_ID, callbackId: CB, cycle: 2, reopenedAt: t('15:00') } },
        {
          type: 'ComplaintEscalated',
          data: { complaintId: COMPLAINT_ID, from: 'desk', to: 'branch-customer-supervisor', trigger: 'customer_unsatisfied', reason: 'unsatisfied at the callback: the credit never came', escalatedAt: t('15:00') },
        },
      ]);
  });

  it('a completed callback is not completed again; an unknown one is not found', () => {
    spec.given([...afterArchive(), completed(1, 'satisfied')]).when(complete('satisfied')).thenThrows(CommandRefused, (e) => expect(e.code).toBe('callback.completed'));
    spec.given(afterArchive()).when(cmd('CompleteCallback', { callbackId: 'C-1.cb9', outcome: 'satisfied' }, t('15:00'))).thenThrows(NotFound);
  });
});

describe('a complaint reopened at the callback', () => {
  it("starts a new cycle: returning this cycle's work order does not bring back the last cycle's resolution", () => {
    const reopened: ComplaintEvent[] = [
      ...afterArchive(),
      completed(1, 'unsatisfied'),
      { type: 'ComplaintReopened', data: { complaintId: COMPLAINT_ID, callbackId: CB, cycle: 2, reopenedAt: t('15:00') } },
      { type: 'WorkOrderDispatched', data: { complaintId: COMPLAINT_ID, workOrderId: 'W2', department: 'support', dispatchedAt: t('15:10'), hop: 1, replyDueAt: t('16:10') } },
      { type: 'WorkOrderReplied', data: { complaintId: COMPLAINT_ID, workOrderId: 'W2', department: 'support', opinion: 'refunded', resolved: true, repliedAt: t('15:40'), hop: 1, onTime: true } },
      { type: 'WorkOrderReturned', data: { complaintId: COMPLAINT_ID, workOrderId: 'W2', department: 'support', reason: 'not on the bill', returnedAt: t('15:50') } },
    ];
    const state = reopened.reduce(evolveComplaint, initialComplaintState()) as ComplaintCase;
    expect(state).toMatchObject({ status: 'in_progress', cycle: 2, resolution: undefined });
    spec.given(reopened).when(cmd('DispatchWorkOrder', { workOrderId: 'W3', department: 'billing-center' }, t('16:00'))).then([
      { type: 'WorkOrderDispatched', data: { complaintId: COMPLAINT_ID, workOrderId: 'W3', department: 'billing-center', dispatchedAt: t('16:00'), hop: 1, replyDueAt: t('17:00') } },
    ]);
  });
});

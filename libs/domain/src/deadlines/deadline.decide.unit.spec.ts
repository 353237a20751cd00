import {
  aDispatchedComplaint,
  anArchivedComplaint,
  cmd,
  COMPLAINT_ID,
  deciderSpecification,
  dispatched,
  forwarded,
  registered,
  replied,
  t,
} from '@complaints/testing';
import { complaintDecider } from '../complaint/complaint.decide';
import { ComplaintEvent } from '../complaint/complaint.events';
import { evolveComplaint } from '../complaint/complaint.evolve';
import { ComplaintCase, initialComplaintState } from '../complaint/complaint.state';
import { DEFAULT_POLICY } from '../policy/complaint-policy';
import { CommandRefused, NotFound } from '../shared/domain-error';
import { Deadline, deadlineId, pendingDeadlines } from './deadline';

const spec = deciderSpecification(complaintDecider());
const fold = (events: ComplaintEvent[]) => events.reduce(evolveComplaint, initialComplaintState()) as ComplaintCase;
const pending = (events: ComplaintEvent[]) => pendingDeadlines(fold(events), DEFAULT_POLICY);
const find = (events: ComplaintEvent[], clock: Deadline['clock'], mark: Deadline['mark']) => pending(events).find((d) => d.clock === clock && d.mark === mark)!;
const fire = (deadline: Deadline, now: string) => cmd('FireDeadline', { deadline }, now, 'system:scheduler');
const W1_DUE = deadlineId('work_order_reply', 'W1#1', t('10:05'), 'due');

describe('the work-order reply clock', () => {
  it('a dispatch sets warnings at 50% and 80% of the hour and the due time', () => {
    const marks = pending(aDispatchedComplaint()).filter((d) => d.clock === 'work_order_reply');
    expect(marks.map((d) => [d.mark, d.fireAt])).toEqual([
      ['warn50', t('09:35')],
      ['warn80', t('09:53')],
      ['due', t('10:05')],
    ]);
  });

  it('fires the early warning as an event', () => {
    spec
      .given(aDispatchedComplaint())
      .when(fire(find(aDispatchedComplaint(), 'work_order_reply', 'warn50'), t('09:35')))
      .then([
        {
          type: 'ClockWarningReached',
          data: { complaintId: COMPLAINT_ID, deadlineId: deadlineId('work_order_reply', 'W1#1', t('10:05'), 'warn50'), clock: 'work_order_reply', subject: 'W1#1', mark: 'warn50', dueAt: t('10:05'), reachedAt: t('09:35') },
        },
      ]);
  });

  it('a missed hour records WorkOrderReplyOverdue and escalates to the branch supervisor, naming the deadline', () => {
    spec
      .given(aDispatchedComplaint())
      .when(fire(find(aDispatchedComplaint(), 'work_order_reply', 'due'), t('10:05')))
      .then([
        {
          type: 'WorkOrderReplyOverdue',
          data: { complaintId: COMPLAINT_ID, deadlineId: W1_DUE, workOrderId: 'W1', hop: 1, department: 'billing-center', dueAt: t('10:05'), miss: 1, recordedAt: t('10:05') },
        },
        {
          type: 'ComplaintEscalated',
          data: {
            complaintId: COMPLAINT_ID,
            from: 'desk',
            to: 'branch-supervisor',
            trigger: 'work_order_overdue',
            reason: 'work order W1 was not answered by billing-center within its hour (miss 1 on this complaint)',
            escalatedAt: t('10:05'),
            deadlineId: W1_DUE,
          },
        },
      ]);
  });

  it('a deadline fires once: firing it again writes nothing', () => {
    const history = aDispatchedComplaint();
    const deadline = find(history, 'work_order_reply', 'due');
    const once = complaintDecider().decide(fire(deadline, t('10:05')), fold(history));
    spec.given([...history, ...once]).when(fire(deadline, t('10:06'))).thenNothingHappens();
  });

  it('a reply at minute 59 means no escalation ever', () => {
    const history = [...aDispatchedComplaint(), replied({ repliedAt: t('10:04') })];
    expect(pending(history).filter((d) => d.clock === 'work_order_reply')).toEqual([]);
    spec.given(history).when(fire(find(aDispatchedComplaint(), 'work_order_reply', 'due'), t('10:05'))).thenNothingHappens();
  });

  it('a deadline not yet due writes nothing', () => {
    spec.given(aDispatchedComplaint()).when(fire(find(aDispatchedComplaint(), 'work_order_reply', 'due'), t('10:04'))).thenNothingHappens();
  });

  it('a forward at minute 40 gives the new department a full hour; the old hour no longer fires', () => {
    const history = [...aDispatchedComplaint(), forwarded({ forwardedAt: t('09:45'), replyDueAt: t('10:45') })];
    spec.given(history).when(fire(find(aDispatchedComplaint(), 'work_order_reply', 'due'), t('10:05'))).thenNothingHappens();
    const newHour = find(history, 'work_order_reply', 'due');
    expect([newHour.subject, newHour.startedAt, newHour.fireAt]).toEqual(['W1#2', t('09:45'), t('10:45')]);
    expect(complaintDecider().decide(fire(newHour, t('10:45')), fold(history)).map((e) => e.type)).toEqual(['WorkOrderReplyOverdue', 'ComplaintEscalated']);
  });

  it('the second miss on a complaint goes to the branch customer supervisor, the third to marketing', () => {
    const decider = complaintDecider();
    let history: ComplaintEvent[] = [registered(), dispatched(), dispatched({ workOrderId: 'W2', department: 'support' }), dispatched({ workOrderId: 'W3', department: 'data' })];
    const targets: (string | undefined)[] = [];
    for (const order of ['W1', 'W2', 'W3']) {
      const deadline = pending(history).find((d) => d.subject === `${order}#1` && d.mark === 'due')!;
      const events = decider.decide(fire(deadline, t('10:05')), fold(history));
      targets.push(events.find((e) => e.type === 'ComplaintEscalated')?.data.to);
      history = [...history, ...events];
    }
    expect(targets).toEqual(['branch-supervisor', 'branch-customer-supervisor', 'marketing-cs']);
  });

  it('a consumer-association complaint goes straight to marketing customer-service management', () => {
    const history = [registered({ channel: 'consumer_association' }), dispatched()];
    const events = complaintDecider().decide(fire(find(history, 'work_order_reply', 'due'), t('10:05')), fold(history));
    expect(events[1]).toMatchObject({ type: 'ComplaintEscalated', data: { to: 'marketing-cs' } });
  });
});

describe('the level, appeal and refund clocks', () => {
  it('the level time limit passes: ComplaintLevelOverdue', () => {
    const history = [registered()];
    const due = find(history, 'level', 'due');
    expect(due.fireAt).toBe(registered().data.dueAt);
    spec
      .given(history)
      .when(fire(due, due.fireAt))
      .then([{ type: 'ComplaintLevelOverdue', data: { complaintId: COMPLAINT_ID, deadlineId: due.id, level: 1, dueAt: due.dueAt, recordedAt: due.fireAt } }]);
  });

  it('fifteen days without a final answer: AppealRiskReached', () => {
    const due = find([registered()], 'appeal_risk', 'due');
    spec
      .given([registered()])
      .when(fire(due, due.fireAt))
      .then([{ type: 'AppealRiskReached', data: { complaintId: COMPLAINT_ID, deadlineId: due.id, appealRiskAt: due.dueAt, recordedAt: due.fireAt } }]);
  });

  it('an answered complaint has no level or appeal clock running', () => {
    const answered = [registered(), { type: 'ComplaintResolvedOnSite', data: { complaintId: COMPLAINT_ID, resolution: 'explained', resolvedAt: t('09:30') } } as ComplaintEvent];
    expect(pending(answered).map((d) => d.clock)).toEqual([]);
  });

  it('the ten minutes of a refund verification: RefundVerificationOverdue', () => {
    const history = [registered(), { type: 'RefundRequested', data: { complaintId: COMPLAINT_ID, refundId: 'R1', amountClaimedFen: 2000, accountType: 'personal', requestedAt: t('09:10'), verifyDueAt: t('09:20') } } as ComplaintEvent];
    const due = find(history, 'refund_verification', 'due');
    expect(complaintDecider().decide(fire(due, t('09:20')), fold(history))).toEqual([
      { type: 'RefundVerificationOverdue', data: { complaintId: COMPLAINT_ID, deadlineId: due.id, refundId: 'R1', verifyDueAt: t('09:20'), recordedAt: t('09:20') } },
    ]);
  });

  it('firing on an archived complaint writes nothing; on an unknown one it is not found', () => {
    const deadline = find(aDispatchedComplaint(), 'work_order_reply', 'due');
    spec.given(anArchivedComplaint()).when(fire(deadline, t('23:00'))).thenNothingHappens();
    spec.given([]).when(fire(deadline, t('10:05'))).thenThrows(NotFound);
  });
});

describe('pausing the level clock while waiting for the customer', () => {
  const paused: ComplaintEvent = { type: 'LevelClockPaused', data: { complaintId: COMPLAINT_ID, reason: 'waiting for the customer to send the bill', pausedAt: t('10:00') } };

  it('pauses with a reason; a paused level clock sets no deadlines', () => {
    spec.given([registered()]).when(cmd('PauseLevelClock', { reason: 'waiting for the customer to send the bill' }, t('10:00'))).then([paused]);
    expect(pending([registered(), paused]).filter((d) => d.clock === 'level')).toEqual([]);
  });

  it('resumes, and the paused time does not count', () => {
    const dueAt = registered().data.dueAt;
    const resumedDue = new Date(Date.parse(dueAt) + 120 * 60_000).toISOString();
    spec
      .given([registered(), paused])
      .when(cmd('ResumeLevelClock', {}, t('12:00')))
      .then([{ type: 'LevelClockResumed', data: { complaintId: COMPLAINT_ID, resumedAt: t('12:00'), pausedMinutes: 120, dueAt: resumedDue } }]);
  });

  it('refuses to pause twice, or to resume a running clock', () => {
    spec.given([registered(), paused]).when(cmd('PauseLevelClock', { reason: 'again' }, t('11:00'))).thenThrows(CommandRefused, (e) => expect(e.code).toBe('clock.already_paused'));
    spec.given([registered()]).when(cmd('ResumeLevelClock', {}, t('11:00'))).thenThrows(CommandRefused, (e) => expect(e.code).toBe('clock.not_paused'));
  });
});

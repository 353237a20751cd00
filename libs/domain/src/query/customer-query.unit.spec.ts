import { cmd, deciderSpecification, registered } from '@complaints/testing';
import { CalendarNotCovering, WorkingDayCalendar } from '../calendar/working-days';
import { mainlandChina2025and2026 } from '../calendar/mainland-china-2025-2026.fixture';
import { complaintDecider } from '../complaint/complaint.decide';
import { ComplaintEvent } from '../complaint/complaint.events';
import { evolveComplaint } from '../complaint/complaint.evolve';
import { ComplaintCase, initialComplaintState } from '../complaint/complaint.state';
import { deadlineId, pendingDeadlines } from '../deadlines/deadline';
import { DEFAULT_POLICY } from '../policy/complaint-policy';
import { CommandRefused, NotFound } from '../shared/domain-error';
import { CustomerQueryRecorded } from './customer-query';

const spec = deciderSpecification(complaintDecider());
const calendar = WorkingDayCalendar.from(mainlandChina2025and2026());
const decide = (given: ComplaintEvent[], command: Parameters<ReturnType<typeof complaintDecider>['decide']>[0]) => complaintDecider().decide(command, fold(given));
const fold = (events: ComplaintEvent[]) => events.reduce(evolveComplaint, initialComplaintState()) as ComplaintCase;

/** RecordCustomerQuery at `now` (UTC), with the calendar in its context as the API gives it */
const record = (now: string, data: { queryId?: string; question?: string; department?: string } = {}) => {
  const command = cmd('RecordCustomerQuery', { queryId: data.queryId ?? 'Q1', question: data.question ?? 'why was my data package cut off?', department: data.department }, now);
  return { ...command, context: { ...command.context, calendar } };
};

const recorded = (recordedAt: string, answerDueAt: string, queryId = 'Q1'): CustomerQueryRecorded => ({
  type: 'CustomerQueryRecorded',
  data: { complaintId: 'C-1', queryId, question: 'why was my data package cut off?', recordedAt, workingDays: 3, answerDueAt },
});

describe('customer queries answered within 3 working days', () => {
  it('a query recorded on a Monday is due at the end of Thursday, China time', () => {
    // 2026-03-02 is a Monday; 09:00Z is 17:00 in China
    spec
      .given([registered()])
      .when(record('2026-03-02T09:00:00.000Z', { department: 'eoms' }))
      .then([{ ...recorded('2026-03-02T09:00:00.000Z', '2026-03-05T16:00:00.000Z'), data: { ...recorded('2026-03-02T09:00:00.000Z', '2026-03-05T16:00:00.000Z').data, department: 'eoms' } }]);
  });

  it('skips the public holidays and counts the make-up working days (调休): before National Day 2026', () => {
    // Wednesday 2026-09-30 (China): 10-01..10-07 are holidays, Saturday 10-10 is a make-up working day
    const events = decide([registered()], record('2026-09-30T02:00:00.000Z'));
    // working days after 09-30: Thursday 10-08, Friday 10-09, Saturday 10-10 (make-up)
    expect((events[0] as CustomerQueryRecorded).data.answerDueAt).toBe('2026-10-10T16:00:00.000Z');
  });

  it('refuses a query whose answer day the calendar does not cover, instead of guessing', () => {
    spec.given([registered()]).when(record('2026-12-31T02:00:00.000Z')).thenThrows(CalendarNotCovering);
  });

  it('a query id is recorded once', () => {
    spec
      .given([registered(), recorded('2026-03-02T09:00:00.000Z', '2026-03-05T16:00:00.000Z')])
      .when(record('2026-03-02T10:00:00.000Z'))
      .thenThrows(CommandRefused);
  });

  it('an answer in time stops the clock; a second answer is refused; an unknown query is not found', () => {
    const given = [registered(), recorded('2026-03-02T09:00:00.000Z', '2026-03-05T16:00:00.000Z')];
    const answer = cmd('AnswerCustomerQuery', { queryId: 'Q1', answer: 'the package renews on the 1st' }, '2026-03-04T03:00:00.000Z');
    spec
      .given(given)
      .when(answer)
      .then([{ type: 'CustomerQueryAnswered', data: { complaintId: 'C-1', queryId: 'Q1', answer: 'the package renews on the 1st', answeredAt: '2026-03-04T03:00:00.000Z', inTime: true } }]);
    const answered = decide(given, answer);
    expect(pendingDeadlines(fold([...given, ...answered]), DEFAULT_POLICY).filter((d) => d.clock === 'query_answer')).toEqual([]);
    spec.given([...given, ...answered]).when(answer).thenThrows(CommandRefused);
    spec.given(given).when(cmd('AnswerCustomerQuery', { queryId: 'Q7', answer: 'x' })).thenThrows(NotFound);
  });

  it('warns at 50% and 80% of the span and records the query overdue at its due time, once', () => {
    const given = [registered(), recorded('2026-03-02T09:00:00.000Z', '2026-03-05T16:00:00.000Z')];
    const marks = pendingDeadlines(fold(given), DEFAULT_POLICY).filter((d) => d.clock === 'query_answer');
    expect(marks.map((d) => d.mark)).toEqual(['warn50', 'warn80', 'due']);
    const due = marks.find((d) => d.mark === 'due')!;
    const fire = cmd('FireDeadline', { deadline: due }, '2026-03-05T16:00:00.000Z', 'system:scheduler');
    spec
      .given(given)
      .when(fire)
      .then([
        {
          type: 'CustomerQueryOverdue',
          data: {
            complaintId: 'C-1',
            queryId: 'Q1',
            deadlineId: deadlineId('query_answer', 'Q1', '2026-03-05T16:00:00.000Z', 'due'),
            answerDueAt: '2026-03-05T16:00:00.000Z',
            recordedAt: '2026-03-05T16:00:00.000Z',
          },
        },
      ]);
    const overdue = decide(given, fire);
    spec.given([...given, ...overdue]).when(fire).then([]);
    // a late answer is still taken, marked late
    spec
      .given([...given, ...overdue])
      .when(cmd('AnswerCustomerQuery', { queryId: 'Q1', answer: 'sorry for the delay' }, '2026-03-06T02:00:00.000Z'))
      .then([{ type: 'CustomerQueryAnswered', data: { complaintId: 'C-1', queryId: 'Q1', answer: 'sorry for the delay', answeredAt: '2026-03-06T02:00:00.000Z', inTime: false } }]);
  });
});

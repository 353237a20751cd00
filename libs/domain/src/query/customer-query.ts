import { CommandRefused, NotFound } from '../shared/domain-error';
import { Instant, notAfter } from '../shared/time';

/**
 * Customer queries (咨询) that cannot be answered on the spot (DOMAIN.md
 * "Related time limits", §16 2.3 3 and 2.4 3): recorded on the complaint,
 * forwarded to whoever knows, answered within 3 working days of the mainland
 * China calendar. The due time is computed when the query is recorded, from
 * the working-day calendar the command brings, and kept in the event: the
 * clock never depends on a calendar loaded later.
 */
export interface CustomerQueryState {
  id: string;
  question: string;
  /** the department it was forwarded to, if any */
  department?: string;
  recordedAt: Instant;
  answerDueAt: Instant;
  /** the policy version its clock is judged by, when not the complaint's own */
  policyVersion?: string;
  answer?: string;
  answeredAt?: Instant;
  /** set when the answer was not given in time */
  overdueAt?: Instant;
  warning?: 'warn50' | 'warn80';
}

export type CustomerQueryRecorded = {
  type: 'CustomerQueryRecorded';
  /** `policyVersion`: the policy version its clock is judged by, when not the complaint's own */
  data: { complaintId: string; queryId: string; question: string; department?: string; recordedAt: Instant; workingDays: number; answerDueAt: Instant; policyVersion?: string };
};

export type CustomerQueryAnswered = {
  type: 'CustomerQueryAnswered';
  data: { complaintId: string; queryId: string; answer: string; answeredAt: Instant; inTime: boolean };
};

export type CustomerQueryOverdue = {
  type: 'CustomerQueryOverdue';
  data: { complaintId: string; queryId: string; deadlineId: string; answerDueAt: Instant; recordedAt: Instant };
};

export type CustomerQueryEvent = CustomerQueryRecorded | CustomerQueryAnswered | CustomerQueryOverdue;

/** What a command needs of the working-day calendar (WorkingDayCalendar has it). */
export interface WorkingDays {
  /** the end (midnight China time, the start of the next day) of the n-th working day after the day of `at`; refuses dates it has no data for */
  addWorkingDays(at: Instant, n: number): Instant;
}

export function recordCustomerQuery(
  complaintId: string,
  queries: readonly CustomerQueryState[],
  data: { queryId: string; question: string; department?: string },
  now: Instant,
  workingDays: number,
  calendar: WorkingDays | undefined,
  /** the version of the policy `workingDays` comes from, when it is not the complaint's own */
  clockPolicy: { policyVersion?: string } = {},
): CustomerQueryRecorded[] {
  if (queries.some((q) => q.id === data.queryId)) {
    throw new CommandRefused('query.already_recorded', `query ${data.queryId} is already recorded on complaint ${complaintId}`);
  }
  if (!calendar) throw new Error('RecordCustomerQuery needs the working-day calendar in its context');
  // throws CalendarNotCovering (refused) when the calendar has no data for the days it needs
  const answerDueAt = calendar.addWorkingDays(now, workingDays);
  return [
    {
      type: 'CustomerQueryRecorded',
      data: { complaintId, queryId: data.queryId, question: data.question, ...(data.department && { department: data.department }), recordedAt: now, workingDays, answerDueAt, ...clockPolicy },
    },
  ];
}

export function answerCustomerQuery(
  complaintId: string,
  queries: readonly CustomerQueryState[],
  data: { queryId: string; answer: string },
  now: Instant,
): CustomerQueryAnswered[] {
  const query = queries.find((q) => q.id === data.queryId);
  if (!query) throw new NotFound('query.not_found', `complaint ${complaintId} has no query ${data.queryId}`);
  if (query.answeredAt) throw new CommandRefused('query.already_answered', `query ${data.queryId} was answered at ${query.answeredAt}`);
  return [{ type: 'CustomerQueryAnswered', data: { complaintId, queryId: data.queryId, answer: data.answer, answeredAt: now, inTime: notAfter(now, query.answerDueAt) } }];
}

export function evolveCustomerQueries(queries: readonly CustomerQueryState[], event: CustomerQueryEvent): CustomerQueryState[] {
  switch (event.type) {
    case 'CustomerQueryRecorded': {
      const { queryId, question, department, recordedAt, answerDueAt, policyVersion } = event.data;
      return [...queries, { id: queryId, question, ...(department && { department }), recordedAt, answerDueAt, ...(policyVersion !== undefined && { policyVersion }) }];
    }
    case 'CustomerQueryAnswered':
      return queries.map((q) => (q.id === event.data.queryId ? { ...q, answer: event.data.answer, answeredAt: event.data.answeredAt } : q));
    case 'CustomerQueryOverdue':
      return queries.map((q) => (q.id === event.data.queryId ? { ...q, overdueAt: event.data.recordedAt } : q));
  }
}

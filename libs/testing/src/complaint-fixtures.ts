import {
  CashRefundApproved,
  CallbackScheduled,
  ComplaintArchived,
  ComplaintClassified,
  ComplaintCommand,
  ComplaintCommandType,
  ComplaintEscalated,
  ComplaintEvent,
  ComplaintRegistered,
  ComplaintResolvedOnSite,
  Customer,
  CustomerReplied,
  Instant,
  RefundExecuted,
  RefundRequested,
  RefundVerified,
  RegisterComplaint,
  SatisfactionRecorded,
  WorkOrderAccepted,
  WorkOrderDispatched,
  WorkOrderForwarded,
  WorkOrderReplied,
  WorkOrderReturned,
} from '@complaints/domain';

/**
 * Builders for the complaint stream's tests, so that each test reads like a
 * sentence. Every builder has plain, literal defaults on one timeline, and
 * takes overrides for what the test is about:
 *
 *   09:00 registered (due 48 h later, appeal risk 15 days later)
 *   09:05 work order W1 dispatched to the billing center (reply due 10:05)
 *   09:10 accepted · 09:20 forwarded · 09:40 replied
 *   10:00 customer answered · 10:30 satisfaction · 10:35 archived
 *
 * Defaults are written out rather than computed, so a test never checks the
 * domain's arithmetic against a copy of itself.
 */

/** The day every fixture happens on. */
export const DAY = '2026-03-02';

/** An instant on {@link DAY}, `t('09:05')`: `2026-03-02T09:05:00.000Z`. */
export function t(hhmm: string): Instant {
  return `${DAY}T${hhmm}:00.000Z`;
}

export const COMPLAINT_ID = 'C-1';
export const AGENT = 'agent-0042';
export const BRANCH_MANAGER = 'manager-007';

export function aCustomer(overrides: Partial<Customer> = {}): Customer {
  return { msisdn: '13812345678', name: '张伟', vip: false, groupCustomer: false, accountType: 'personal', ...overrides };
}

// ---------------------------------------------------------------- commands

type CommandOf<T extends ComplaintCommandType> = Extract<ComplaintCommand, { type: T }>;
type DataOf<T extends ComplaintCommandType> = Omit<CommandOf<T>['data'], 'complaintId'> & { complaintId?: string };

/** `cmd('ReplyToWorkOrder', { workOrderId: 'W1', ... }, t('09:40'))`: the complaint id and the agent are filled in. */
export function cmd<T extends ComplaintCommandType>(type: T, data: DataOf<T>, now: Instant = t('09:00'), actor: string = AGENT): CommandOf<T> {
  // TypeScript cannot follow a generic `type` into its union member; the shape is the member's by construction
  return { type, data: { complaintId: COMPLAINT_ID, ...data }, context: { now, actor } } as unknown as CommandOf<T>;
}

/** An ordinary customer's billing complaint at a business hall, their first this month. */
export function registerComplaint(overrides: Partial<RegisterComplaint['data']> = {}, now: Instant = t('09:00')): RegisterComplaint {
  return cmd(
    'RegisterComplaint',
    {
      channel: 'business_hall',
      customer: aCustomer(),
      branch: 'city-east',
      hall: 'hall-01',
      category: 'billing',
      description: 'charged twice for the March data package',
      contact: { phone: '13812345678', preferredMethod: 'sms' },
      priorComplaints: 0,
      ...overrides,
    },
    now,
  );
}

// ------------------------------------------------------------------ events

export function registered(overrides: Partial<ComplaintRegistered['data']> = {}): ComplaintRegistered {
  return {
    type: 'ComplaintRegistered',
    data: {
      complaintId: COMPLAINT_ID,
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
      registeredAt: t('09:00'),
      dueAt: '2026-03-04T09:00:00.000Z',
      appealRiskAt: '2026-03-17T09:00:00.000Z',
      policyVersion: '2026.1',
      ...overrides,
    },
  };
}

export function classified(overrides: Partial<ComplaintClassified['data']> = {}): ComplaintClassified {
  return {
    type: 'ComplaintClassified',
    data: {
      complaintId: COMPLAINT_ID,
      category: 'billing',
      subcategory: 'double-charge',
      baseLevel: 1,
      level: 1,
      previous: { category: 'billing', level: 1 },
      dueAt: '2026-03-04T09:00:00.000Z',
      classifiedAt: t('09:02'),
      ...overrides,
    },
  };
}

export function resolvedOnSite(overrides: Partial<ComplaintResolvedOnSite['data']> = {}): ComplaintResolvedOnSite {
  return { type: 'ComplaintResolvedOnSite', data: { complaintId: COMPLAINT_ID, resolution: 'duplicate charge reversed at the desk', resolvedAt: t('09:20'), ...overrides } };
}

export function customerReplied(overrides: Partial<CustomerReplied['data']> = {}): CustomerReplied {
  return {
    type: 'CustomerReplied',
    data: { complaintId: COMPLAINT_ID, method: 'sms', content: 'the duplicate charge is reversed', final: true, repliedAt: t('10:00'), ...overrides },
  };
}

export function satisfactionRecorded(overrides: Partial<SatisfactionRecorded['data']> = {}): SatisfactionRecorded {
  return { type: 'SatisfactionRecorded', data: { complaintId: COMPLAINT_ID, satisfied: true, recordedAt: t('10:30'), ...overrides } };
}

export function escalated(overrides: Partial<ComplaintEscalated['data']> = {}): ComplaintEscalated {
  return {
    type: 'ComplaintEscalated',
    data: {
      complaintId: COMPLAINT_ID,
      from: 'desk',
      to: 'branch-customer-supervisor',
      trigger: 'customer_unsatisfied',
      reason: 'customer not satisfied with the answer',
      escalatedAt: t('10:30'),
      ...overrides,
    },
  };
}

export function archived(overrides: Partial<ComplaintArchived['data']> = {}): ComplaintArchived {
  return { type: 'ComplaintArchived', data: { complaintId: COMPLAINT_ID, archivedAt: t('10:35'), ...overrides } };
}

/** the callback the archiving at 10:35 schedules, due a day later */
export function callbackScheduled(overrides: Partial<CallbackScheduled['data']> = {}): CallbackScheduled {
  return { type: 'CallbackScheduled', data: { complaintId: COMPLAINT_ID, callbackId: `${COMPLAINT_ID}.cb1`, cycle: 1, attempt: 1, dueAt: '2026-03-03T10:35:00.000Z', ...overrides } };
}

export function dispatched(overrides: Partial<WorkOrderDispatched['data']> = {}): WorkOrderDispatched {
  return {
    type: 'WorkOrderDispatched',
    data: { complaintId: COMPLAINT_ID, workOrderId: 'W1', department: 'billing-center', dispatchedAt: t('09:05'), hop: 1, replyDueAt: t('10:05'), ...overrides },
  };
}

export function accepted(overrides: Partial<WorkOrderAccepted['data']> = {}): WorkOrderAccepted {
  return { type: 'WorkOrderAccepted', data: { complaintId: COMPLAINT_ID, workOrderId: 'W1', department: 'billing-center', acceptedAt: t('09:10'), ...overrides } };
}

export function forwarded(overrides: Partial<WorkOrderForwarded['data']> = {}): WorkOrderForwarded {
  return {
    type: 'WorkOrderForwarded',
    data: {
      complaintId: COMPLAINT_ID,
      workOrderId: 'W1',
      fromDepartment: 'billing-center',
      toDepartment: 'support',
      reason: 'the rating rule belongs to the support systems',
      forwardedAt: t('09:20'),
      hop: 2,
      replyDueAt: t('10:20'),
      ...overrides,
    },
  };
}

export function replied(overrides: Partial<WorkOrderReplied['data']> = {}): WorkOrderReplied {
  return {
    type: 'WorkOrderReplied',
    data: {
      complaintId: COMPLAINT_ID,
      workOrderId: 'W1',
      department: 'billing-center',
      opinion: 'duplicate charge confirmed and reversed',
      resolved: true,
      repliedAt: t('09:40'),
      hop: 1,
      onTime: true,
      ...overrides,
    },
  };
}

export function returned(overrides: Partial<WorkOrderReturned['data']> = {}): WorkOrderReturned {
  return {
    type: 'WorkOrderReturned',
    data: { complaintId: COMPLAINT_ID, workOrderId: 'W1', department: 'billing-center', reason: 'the charge is still on the bill', returnedAt: t('09:45'), ...overrides },
  };
}

export function refundRequested(overrides: Partial<RefundRequested['data']> = {}): RefundRequested {
  return {
    type: 'RefundRequested',
    data: { complaintId: COMPLAINT_ID, refundId: 'R1', amountClaimedFen: 2000, accountType: 'personal', requestedAt: t('09:15'), verifyDueAt: t('09:25'), ...overrides },
  };
}

export function refundVerified(overrides: Partial<RefundVerified['data']> = {}): RefundVerified {
  return {
    type: 'RefundVerified',
    data: { complaintId: COMPLAINT_ID, refundId: 'R1', refundable: true, amountFen: 2000, verifiedAt: t('09:20'), onTime: true, ...overrides },
  };
}

export function cashRefundApproved(overrides: Partial<CashRefundApproved['data']> = {}): CashRefundApproved {
  return { type: 'CashRefundApproved', data: { complaintId: COMPLAINT_ID, refundId: 'R1', approvedBy: BRANCH_MANAGER, approvedAt: t('09:22'), ...overrides } };
}

export function refundExecuted(overrides: Partial<RefundExecuted['data']> = {}): RefundExecuted {
  return {
    type: 'RefundExecuted',
    data: { complaintId: COMPLAINT_ID, refundId: 'R1', method: 'bill_credit', amountFen: 2000, formSigned: false, idChecked: false, executedAt: t('09:30'), ...overrides },
  };
}

// --------------------------------------------------------------- histories

/** Registered, nothing done yet. */
export function aRegisteredComplaint(): ComplaintEvent[] {
  return [registered()];
}

/** W1 is with the billing center. */
export function aDispatchedComplaint(): ComplaintEvent[] {
  return [registered(), dispatched()];
}

/** The billing center answered W1 without resolving it; the desk must act again. */
export function aComplaintInProgress(): ComplaintEvent[] {
  return [registered(), dispatched(), replied({ resolved: false, opinion: 'no duplicate charge found' })];
}

/** The billing center resolved it; the customer has not been told yet. */
export function aResolvedComplaint(): ComplaintEvent[] {
  return [registered(), dispatched(), replied()];
}

/** The customer has the final answer; satisfaction not yet asked. */
export function anAnsweredComplaint(): ComplaintEvent[] {
  return [...aResolvedComplaint(), customerReplied()];
}

/** The customer is satisfied; ready to archive. */
export function aSatisfiedComplaint(): ComplaintEvent[] {
  return [...anAnsweredComplaint(), satisfactionRecorded()];
}

export function anArchivedComplaint(): ComplaintEvent[] {
  return [...aSatisfiedComplaint(), archived()];
}

import { CustomerQueryEvent } from '../query/customer-query';
import { CallbackOutcome } from '../callback/callback';
import { ClockKind } from '../deadlines/deadline';
import { RefundEvent } from '../refund/refund.events';
import { Instant } from '../shared/time';
import { WorkOrderEvent } from '../work-order/work-order.events';
import {
  ComplaintCategory,
  ComplaintChannel,
  ComplaintLevel,
  Contact,
  ContactMethod,
  Customer,
  EscalationTier,
  EscalationTrigger,
  LevelRaise,
} from './complaint.types';

/**
 * The events of a complaint's stream. The `type` strings are the persistence
 * contract: never renamed, never derived from a class name. A change of shape
 * is a new type (or an upcaster), never a rewrite of history.
 */
export type ComplaintRegistered = {
  type: 'ComplaintRegistered';
  data: {
    complaintId: string;
    channel: ComplaintChannel;
    externalRef?: string;
    customer: Customer;
    branch: string;
    hall?: string;
    category: ComplaintCategory;
    subcategory?: string;
    description: string;
    contact?: Contact;
    /** the level before raises (1 until classified otherwise) */
    baseLevel: ComplaintLevel;
    level: ComplaintLevel;
    levelRaisedBy: LevelRaise[];
    /** complaints by the same MSISDN in the policy's window before this one */
    priorComplaints: number;
    registeredAt: Instant;
    dueAt: Instant;
    appealRiskAt: Instant;
    policyVersion: string;
  };
};

export type ComplaintClassified = {
  type: 'ComplaintClassified';
  data: {
    complaintId: string;
    category: ComplaintCategory;
    subcategory?: string;
    baseLevel: ComplaintLevel;
    level: ComplaintLevel;
    reason?: string;
    previous: { category: ComplaintCategory; subcategory?: string; level: ComplaintLevel };
    dueAt: Instant;
    classifiedAt: Instant;
  };
};

export type ComplaintResolvedOnSite = {
  type: 'ComplaintResolvedOnSite';
  data: { complaintId: string; resolution: string; resolvedAt: Instant };
};

export type CustomerReplied = {
  type: 'CustomerReplied';
  data: {
    complaintId: string;
    method: ContactMethod;
    content: string;
    /** the final answer (the complaint was resolved); otherwise an interim reply while it is still being handled */
    final: boolean;
    repliedAt: Instant;
  };
};

export type SatisfactionRecorded = {
  type: 'SatisfactionRecorded';
  data: { complaintId: string; satisfied: boolean; comment?: string; recordedAt: Instant };
};

export type ComplaintEscalated = {
  type: 'ComplaintEscalated';
  data: {
    complaintId: string;
    from: EscalationTier;
    to: EscalationTier;
    trigger: EscalationTrigger;
    reason: string;
    escalatedAt: Instant;
    /** the deadline that caused it, when a clock did */
    deadlineId?: string;
  };
};

/** An early warning: a share of a clock's span has passed. */
export type ClockWarningReached = {
  type: 'ClockWarningReached';
  data: { complaintId: string; deadlineId: string; clock: ClockKind; subject: string; mark: 'warn50' | 'warn80'; dueAt: Instant; reachedAt: Instant };
};

/** A department let its hour pass without replying to this hop of the work order. */
export type WorkOrderReplyOverdue = {
  type: 'WorkOrderReplyOverdue';
  data: { complaintId: string; deadlineId: string; workOrderId: string; hop: number; department: string; dueAt: Instant; miss: number; recordedAt: Instant };
};

/** The complaint's level time limit passed before the customer had the final answer. */
export type ComplaintLevelOverdue = {
  type: 'ComplaintLevelOverdue';
  data: { complaintId: string; deadlineId: string; level: ComplaintLevel; dueAt: Instant; recordedAt: Instant };
};

/** Fifteen days without a final answer: the customer may now appeal to the regulator. */
export type AppealRiskReached = {
  type: 'AppealRiskReached';
  data: { complaintId: string; deadlineId: string; appealRiskAt: Instant; recordedAt: Instant };
};

/** The accounts room let its ten minutes pass without verifying the refund. */
export type RefundVerificationOverdue = {
  type: 'RefundVerificationOverdue';
  data: { complaintId: string; deadlineId: string; refundId: string; verifyDueAt: Instant; recordedAt: Instant };
};

/** The customer will be called back (回访) by `dueAt`. */
export type CallbackScheduled = {
  type: 'CallbackScheduled';
  /** `policyVersion`: the policy version this attempt's clock is judged by, when not the complaint's own */
  data: { complaintId: string; callbackId: string; cycle: number; attempt: number; dueAt: Instant; policyVersion?: string };
};

export type CallbackCompleted = {
  type: 'CallbackCompleted';
  data: { complaintId: string; callbackId: string; attempt: number; outcome: CallbackOutcome; notes?: string; completedAt: Instant };
};

/** The customer was unreachable: another attempt by `dueAt`. */
export type CallbackRescheduled = {
  type: 'CallbackRescheduled';
  /** `policyVersion`: the policy version this attempt's clock is judged by, when not the complaint's own */
  data: { complaintId: string; callbackId: string; attempt: number; dueAt: Instant; policyVersion?: string };
};

/** The callback came due without being made. */
export type CallbackOverdue = {
  type: 'CallbackOverdue';
  data: { complaintId: string; deadlineId: string; callbackId: string; attempt: number; dueAt: Instant; recordedAt: Instant };
};

/** Unsatisfied at the callback: the archived complaint is open again, in a new resolution cycle. */
export type ComplaintReopened = {
  type: 'ComplaintReopened';
  data: { complaintId: string; callbackId: string; cycle: number; reopenedAt: Instant };
};

/** The level clock stops while the desk waits for the customer. */
export type LevelClockPaused = {
  type: 'LevelClockPaused';
  data: { complaintId: string; reason: string; pausedAt: Instant };
};

/** The level clock runs again; the paused time is added to the due time. */
export type LevelClockResumed = {
  type: 'LevelClockResumed';
  data: { complaintId: string; resumedAt: Instant; pausedMinutes: number; dueAt: Instant };
};

export type ComplaintArchived = {
  type: 'ComplaintArchived';
  data: { complaintId: string; archivedAt: Instant };
};

export type ComplaintOwnEvent =
  | CallbackScheduled
  | CallbackCompleted
  | CallbackRescheduled
  | CallbackOverdue
  | ComplaintReopened
  | ClockWarningReached
  | WorkOrderReplyOverdue
  | ComplaintLevelOverdue
  | AppealRiskReached
  | RefundVerificationOverdue
  | LevelClockPaused
  | LevelClockResumed
  | ComplaintRegistered
  | ComplaintClassified
  | ComplaintResolvedOnSite
  | CustomerReplied
  | SatisfactionRecorded
  | ComplaintEscalated
  | ComplaintArchived;

/** Every event a complaint's stream can hold. */
export type ComplaintEvent = ComplaintOwnEvent | WorkOrderEvent | RefundEvent | CustomerQueryEvent;
export type ComplaintEventType = ComplaintEvent['type'];

export const COMPLAINT_EVENT_TYPES: readonly ComplaintEventType[] = [
  'ComplaintRegistered',
  'ComplaintClassified',
  'ComplaintResolvedOnSite',
  'CustomerReplied',
  'SatisfactionRecorded',
  'ComplaintEscalated',
  'ComplaintArchived',
  'WorkOrderDispatched',
  'WorkOrderAccepted',
  'WorkOrderForwarded',
  'WorkOrderReplied',
  'WorkOrderReturned',
  'RefundRequested',
  'RefundVerified',
  'CashRefundApproved',
  'RefundExecuted',
  'ClockWarningReached',
  'WorkOrderReplyOverdue',
  'ComplaintLevelOverdue',
  'AppealRiskReached',
  'RefundVerificationOverdue',
  'LevelClockPaused',
  'LevelClockResumed',
  'CallbackScheduled',
  'CallbackCompleted',
  'CallbackRescheduled',
  'CallbackOverdue',
  'ComplaintReopened',
  'CustomerQueryRecorded',
  'CustomerQueryAnswered',
  'CustomerQueryOverdue',
];

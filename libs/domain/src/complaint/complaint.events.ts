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
  };
};

export type ComplaintArchived = {
  type: 'ComplaintArchived';
  data: { complaintId: string; archivedAt: Instant };
};

export type ComplaintOwnEvent =
  | ComplaintRegistered
  | ComplaintClassified
  | ComplaintResolvedOnSite
  | CustomerReplied
  | SatisfactionRecorded
  | ComplaintEscalated
  | ComplaintArchived;

/** Every event a complaint's stream can hold. */
export type ComplaintEvent = ComplaintOwnEvent | WorkOrderEvent | RefundEvent;
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
];

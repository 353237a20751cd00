import { WorkingDays } from '../query/customer-query';
import { CallbackOutcome } from '../callback/callback';
import { Deadline } from '../deadlines/deadline';
import { Fen } from '../shared/money';
import { Instant } from '../shared/time';
import { RefundMethod } from '../refund/refund.events';
import {
  ComplaintCategory,
  ComplaintChannel,
  ComplaintLevel,
  Contact,
  ContactMethod,
  Customer,
} from './complaint.types';

/** What every command carries besides its data: the decider reads no clock and knows no session. */
export interface CommandContext {
  now: Instant;
  /** who asks: a person's JWT subject, or a system actor */
  actor: string;
  /** the working-day calendar, for the commands that start a clock counted in working days */
  calendar?: WorkingDays;
}

type Command<Type extends string, Data> = { type: Type; data: Data; context: CommandContext };

export type RegisterComplaint = Command<
  'RegisterComplaint',
  {
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
    /** complaints by this MSISDN within the repeat window before this one, closed ones included (from a read model) */
    priorComplaints: number;
  }
>;

export type ClassifyComplaint = Command<
  'ClassifyComplaint',
  { complaintId: string; category: ComplaintCategory; subcategory?: string; level?: ComplaintLevel; reason?: string }
>;

export type ResolveOnSite = Command<'ResolveOnSite', { complaintId: string; resolution: string }>;

export type DispatchWorkOrder = Command<'DispatchWorkOrder', { complaintId: string; workOrderId: string; department: string; note?: string }>;

export type AcceptWorkOrder = Command<'AcceptWorkOrder', { complaintId: string; workOrderId: string }>;

export type ForwardWorkOrder = Command<'ForwardWorkOrder', { complaintId: string; workOrderId: string; department: string; reason: string }>;

export type ReplyToWorkOrder = Command<'ReplyToWorkOrder', { complaintId: string; workOrderId: string; opinion: string; resolved: boolean }>;

export type ReturnWorkOrder = Command<'ReturnWorkOrder', { complaintId: string; workOrderId: string; reason: string }>;

export type ReplyToCustomer = Command<'ReplyToCustomer', { complaintId: string; method: ContactMethod; content: string }>;

export type RecordSatisfaction = Command<'RecordSatisfaction', { complaintId: string; satisfied: boolean; comment?: string }>;

export type EscalateComplaint = Command<'EscalateComplaint', { complaintId: string; reason: string }>;

export type ArchiveComplaint = Command<'ArchiveComplaint', { complaintId: string }>;

export type RequestRefund = Command<'RequestRefund', { complaintId: string; refundId: string; amountClaimedFen: Fen; reason?: string }>;

export type VerifyRefund = Command<'VerifyRefund', { complaintId: string; refundId: string; refundable: boolean; amountFen?: Fen; note?: string }>;

export type ApproveCashRefund = Command<'ApproveCashRefund', { complaintId: string; refundId: string }>;

export type ExecuteRefund = Command<
  'ExecuteRefund',
  { complaintId: string; refundId: string; method: RefundMethod; formSigned: boolean; idChecked: boolean }
>;

/** The scheduler fires a deadline it found due; a deadline no longer pending writes nothing. */
export type FireDeadline = Command<'FireDeadline', { complaintId: string; deadline: Deadline }>;

export type CompleteCallback = Command<'CompleteCallback', { complaintId: string; callbackId: string; outcome: CallbackOutcome; notes?: string }>;

export type PauseLevelClock = Command<'PauseLevelClock', { complaintId: string; reason: string }>;

export type ResumeLevelClock = Command<'ResumeLevelClock', { complaintId: string }>;

/** A question the desk could not answer on the spot: recorded, perhaps forwarded, answered within the policy's working days. */
export type RecordCustomerQuery = Command<'RecordCustomerQuery', { complaintId: string; queryId: string; question: string; department?: string }>;

export type AnswerCustomerQuery = Command<'AnswerCustomerQuery', { complaintId: string; queryId: string; answer: string }>;

export type WorkOrderCommand = DispatchWorkOrder | AcceptWorkOrder | ForwardWorkOrder | ReplyToWorkOrder | ReturnWorkOrder;
export type RefundCommand = RequestRefund | VerifyRefund | ApproveCashRefund | ExecuteRefund;

export type ComplaintCommand =
  | RegisterComplaint
  | ClassifyComplaint
  | ResolveOnSite
  | ReplyToCustomer
  | RecordSatisfaction
  | EscalateComplaint
  | ArchiveComplaint
  | FireDeadline
  | CompleteCallback
  | PauseLevelClock
  | ResumeLevelClock
  | RecordCustomerQuery
  | AnswerCustomerQuery
  | WorkOrderCommand
  | RefundCommand;

export type ComplaintCommandType = ComplaintCommand['type'];

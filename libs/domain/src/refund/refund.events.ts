import { AccountType } from '../complaint/complaint.types';
import { Fen } from '../shared/money';
import { Instant } from '../shared/time';

export type RefundMethod = 'bill_credit' | 'cash';

/** §18: a billing complaint's refund, verified by the accounts room within ten minutes. */
export type RefundRequested = {
  type: 'RefundRequested';
  data: {
    complaintId: string;
    refundId: string;
    amountClaimedFen: Fen;
    reason?: string;
    accountType: AccountType;
    requestedAt: Instant;
    verifyDueAt: Instant;
    /** the policy version this clock is judged by, when not the complaint's own (a policy put in force after it was registered) */
    policyVersion?: string;
  };
};

export type RefundVerified = {
  type: 'RefundVerified';
  data: {
    complaintId: string;
    refundId: string;
    refundable: boolean;
    /** the amount due; 0 when not refundable */
    amountFen: Fen;
    note?: string;
    verifiedAt: Instant;
    onTime: boolean;
  };
};

export type CashRefundApproved = {
  type: 'CashRefundApproved';
  data: { complaintId: string; refundId: string; approvedBy: string; approvedAt: Instant };
};

export type RefundExecuted = {
  type: 'RefundExecuted';
  data: {
    complaintId: string;
    refundId: string;
    method: RefundMethod;
    amountFen: Fen;
    formSigned: boolean;
    idChecked: boolean;
    executedAt: Instant;
  };
};

export type RefundEvent = RefundRequested | RefundVerified | CashRefundApproved | RefundExecuted;

import { AccountType } from '../complaint/complaint.types';
import { Fen } from '../shared/money';
import { Instant } from '../shared/time';
import { RefundMethod } from './refund.events';

export type RefundStatus = 'requested' | 'verified' | 'rejected' | 'executed';

export interface RefundState {
  id: string;
  status: RefundStatus;
  amountClaimedFen: Fen;
  accountType: AccountType;
  reason?: string;
  requestedAt: Instant;
  verifyDueAt: Instant;
  /** the policy version its clock is judged by, when not the complaint's own */
  policyVersion?: string;
  verifiedAt?: Instant;
  amountFen?: Fen;
  note?: string;
  cashApprovedBy?: string;
  cashApprovedAt?: Instant;
  executedAt?: Instant;
  method?: RefundMethod;
  /** the accounts room's ten minutes passed before it verified */
  verificationOverdue?: boolean;
}

/** requested or verified, not yet paid nor refused */
export function isRefundOpen(refund: RefundState): boolean {
  return refund.status === 'requested' || refund.status === 'verified';
}

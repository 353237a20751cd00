import { assertNever } from '../shared/decider';
import { RefundEvent } from './refund.events';
import { RefundState } from './refund.state';

/** The refund after one of its events; `undefined` before it was requested. */
export function evolveRefund(refund: RefundState | undefined, event: RefundEvent): RefundState {
  if (event.type === 'RefundRequested') {
    const { refundId, amountClaimedFen, accountType, reason, requestedAt, verifyDueAt, policyVersion } = event.data;
    return { id: refundId, status: 'requested', amountClaimedFen, accountType, reason, requestedAt, verifyDueAt, ...(policyVersion !== undefined && { policyVersion }) };
  }
  if (!refund) throw new Error(`${event.type} for refund ${event.data.refundId} before it was requested`);
  switch (event.type) {
    case 'RefundVerified': {
      const { refundable, amountFen, note, verifiedAt } = event.data;
      return { ...refund, status: refundable ? 'verified' : 'rejected', amountFen, note, verifiedAt };
    }
    case 'CashRefundApproved':
      return { ...refund, cashApprovedBy: event.data.approvedBy, cashApprovedAt: event.data.approvedAt };
    case 'RefundExecuted':
      return { ...refund, status: 'executed', method: event.data.method, executedAt: event.data.executedAt };
    default:
      return assertNever(event);
  }
}

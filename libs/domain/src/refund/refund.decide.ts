import { ApproveCashRefund, ExecuteRefund, RefundCommand, RequestRefund, VerifyRefund } from '../complaint/complaint.commands';
import { ComplaintCase } from '../complaint/complaint.state';
import { clockPolicyVersion, ComplaintPolicy } from '../policy/complaint-policy';
import { assertNever } from '../shared/decider';
import { CommandRefused, NotFound } from '../shared/domain-error';
import { formatYuan } from '../shared/money';
import { addMinutes, notAfter } from '../shared/time';
import { RefundEvent } from './refund.events';
import { isRefundOpen, RefundState } from './refund.state';

function findRefund(complaint: ComplaintCase, refundId: string): RefundState {
  const refund = complaint.refunds.find((r) => r.id === refundId);
  if (!refund) throw new NotFound('refund.not_found', `refund ${refundId} does not exist`);
  return refund;
}

function request(command: RequestRefund, complaint: ComplaintCase, policy: ComplaintPolicy): RefundEvent[] {
  const { complaintId, refundId, amountClaimedFen, reason } = command.data;
  const { now } = command.context;
  if (complaint.refunds.some((r) => r.id === refundId)) {
    throw new CommandRefused('refund.already_exists', `refund ${refundId} already exists`);
  }
  if (complaint.category !== 'billing') {
    throw new CommandRefused('refund.not_billing', `complaint ${complaint.id} is a ${complaint.category} complaint; refunds are for billing complaints (reclassify it first if it is about billing)`);
  }
  if (!Number.isInteger(amountClaimedFen) || amountClaimedFen <= 0) {
    throw new CommandRefused('refund.amount_invalid', 'the amount claimed must be a positive amount in yuan with at most two decimals');
  }
  const open = complaint.refunds.find(isRefundOpen);
  if (open) {
    throw new CommandRefused('refund.already_open', `refund ${open.id} of this complaint is still ${open.status}; refunds are handled one at a time`);
  }
  return [
    {
      type: 'RefundRequested',
      data: {
        complaintId,
        refundId,
        amountClaimedFen,
        reason,
        accountType: complaint.customer.accountType,
        requestedAt: now,
        verifyDueAt: addMinutes(now, policy.refundVerifyMinutes),
        ...clockPolicyVersion(complaint, policy),
      },
    },
  ];
}

function verify(command: VerifyRefund, refund: RefundState): RefundEvent[] {
  const { complaintId, refundId, refundable, note } = command.data;
  const { now } = command.context;
  if (refund.status !== 'requested') {
    throw new CommandRefused('refund.already_verified', `refund ${refundId} was already verified at ${refund.verifiedAt} (${refund.status})`);
  }
  const amountFen = refundable ? (command.data.amountFen ?? refund.amountClaimedFen) : 0;
  if (refundable && (!Number.isInteger(amountFen) || amountFen <= 0)) {
    throw new CommandRefused('refund.amount_invalid', 'a refundable amount must be a positive amount in yuan with at most two decimals');
  }
  if (amountFen > refund.amountClaimedFen) {
    throw new CommandRefused(
      'refund.amount_exceeds_claim',
      `the verified amount ${formatYuan(amountFen)} exceeds the ${formatYuan(refund.amountClaimedFen)} yuan claimed`,
    );
  }
  return [{ type: 'RefundVerified', data: { complaintId, refundId, refundable, amountFen, note, verifiedAt: now, onTime: notAfter(now, refund.verifyDueAt) } }];
}

function refuseUnlessPayable(refund: RefundState, doing: string): void {
  if (refund.status === 'requested') {
    throw new CommandRefused('refund.not_verified', `cannot ${doing}: the accounts room has not verified refund ${refund.id} yet`);
  }
  if (refund.status === 'rejected') {
    throw new CommandRefused('refund.rejected', `cannot ${doing}: the accounts room found refund ${refund.id} not refundable`);
  }
  if (refund.status === 'executed') {
    throw new CommandRefused('refund.already_executed', `cannot ${doing}: refund ${refund.id} was already executed at ${refund.executedAt}`);
  }
}

function approveCash(command: ApproveCashRefund, refund: RefundState): RefundEvent[] {
  refuseUnlessPayable(refund, 'approve a cash refund');
  if (refund.cashApprovedBy) return []; // already approved: a retry changes nothing
  const { complaintId, refundId } = command.data;
  return [{ type: 'CashRefundApproved', data: { complaintId, refundId, approvedBy: command.context.actor, approvedAt: command.context.now } }];
}

function execute(command: ExecuteRefund, refund: RefundState): RefundEvent[] {
  const { complaintId, refundId, method, formSigned, idChecked } = command.data;
  refuseUnlessPayable(refund, 'execute the refund');
  if (method === 'cash') {
    // §18: refunds go back to the bill; cash only when the customer insists and the branch manager approved
    if (!refund.cashApprovedBy) {
      throw new CommandRefused('refund.cash_not_approved', `refund ${refundId} in cash needs a supervisor's approval first; refunds go back to the phone bill in principle`);
    }
    const missing = [!formSigned && 'the signed cash refund form (现金退费表)', !idChecked && "a check of the customer's ID"].filter(Boolean);
    if (missing.length > 0) {
      throw new CommandRefused('refund.cash_paperwork_missing', `a cash refund needs ${missing.join(' and ')}`);
    }
  }
  return [
    {
      type: 'RefundExecuted',
      data: { complaintId, refundId, method, amountFen: refund.amountFen ?? 0, formSigned, idChecked, executedAt: command.context.now },
    },
  ];
}

/** The refund rules of §18, over the complaint the refund belongs to. */
/** `policy`: the one in force now, which judges the verification clock a request starts */
export function decideRefund(command: RefundCommand, complaint: ComplaintCase, policy: ComplaintPolicy): RefundEvent[] {
  if (command.type === 'RequestRefund') return request(command, complaint, policy);
  const refund = findRefund(complaint, command.data.refundId);
  switch (command.type) {
    case 'VerifyRefund':
      return verify(command, refund);
    case 'ApproveCashRefund':
      return approveCash(command, refund);
    case 'ExecuteRefund':
      return execute(command, refund);
    default:
      return assertNever(command);
  }
}

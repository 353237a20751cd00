import { ComplaintCase, Customer, fenToYuan, RefundState, WorkOrderState } from '@complaints/domain';

/** 138****5678: the first three and last four digits stay, as DOMAIN.md "Privacy" shows. */
export function maskMsisdn(msisdn: string): string {
  if (msisdn.length <= 7) return '*'.repeat(msisdn.length);
  return `${msisdn.slice(0, 3)}${'*'.repeat(msisdn.length - 7)}${msisdn.slice(-4)}`;
}

/** 张** : the family name stays. */
export function maskName(name: string): string {
  const chars = Array.from(name);
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}

function customerView(customer: Customer, masked: boolean) {
  if (!masked) return customer;
  return { ...customer, msisdn: maskMsisdn(customer.msisdn), name: customer.name === undefined ? undefined : maskName(customer.name) };
}

export function workOrderView(workOrder: WorkOrderState) {
  return {
    id: workOrder.id,
    department: workOrder.department,
    status: workOrder.status,
    dispatchedAt: workOrder.dispatchedAt,
    replyDueAt: workOrder.replyDueAt,
    acceptedAt: workOrder.acceptedAt,
    repliedAt: workOrder.repliedAt,
    opinion: workOrder.opinion,
    resolved: workOrder.resolved,
    returnedAt: workOrder.returnedAt,
    returnReason: workOrder.returnReason,
    hops: workOrder.hops,
  };
}

export function refundView(refund: RefundState) {
  return {
    id: refund.id,
    status: refund.status,
    amountClaimed: fenToYuan(refund.amountClaimedFen),
    amount: refund.amountFen === undefined ? undefined : fenToYuan(refund.amountFen),
    accountType: refund.accountType,
    reason: refund.reason,
    requestedAt: refund.requestedAt,
    verifyDueAt: refund.verifyDueAt,
    verifiedAt: refund.verifiedAt,
    note: refund.note,
    cashApproved: refund.cashApprovedBy !== undefined,
    cashApprovedBy: refund.cashApprovedBy,
    method: refund.method,
    executedAt: refund.executedAt,
  };
}

/** The complaint as API.md lists it; personal data masked for analysts. */
export function complaintView(complaint: ComplaintCase, revision: number, options: { masked: boolean }) {
  return {
    id: complaint.id,
    status: complaint.status,
    channel: complaint.channel,
    externalRef: complaint.externalRef,
    category: complaint.category,
    subcategory: complaint.subcategory,
    level: complaint.level,
    baseLevel: complaint.baseLevel,
    levelRaisedBy: complaint.levelRaisedBy,
    branch: complaint.branch,
    hall: complaint.hall,
    customer: customerView(complaint.customer, options.masked),
    contact: options.masked ? undefined : complaint.contact,
    description: complaint.description,
    registeredAt: complaint.registeredAt,
    dueAt: complaint.dueAt,
    appealRiskAt: complaint.appealRiskAt,
    heldBy: complaint.tier,
    resolution: complaint.resolution,
    satisfaction: complaint.satisfaction,
    customerReplies: complaint.customerReplies,
    workOrders: complaint.workOrders.map(workOrderView),
    escalations: complaint.escalations,
    callbacks: complaint.callbacks,
    queries: complaint.queries,
    levelClock: complaint.levelClock,
    refunds: complaint.refunds.map(refundView),
    cycle: complaint.cycle,
    archivedAt: complaint.archivedAt,
    policyVersion: complaint.policyVersion,
    revision,
  };
}

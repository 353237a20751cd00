import { ComplaintCase, ComplaintCommandType, ComplaintState, isRegistered } from '@complaints/domain';
import { Principal, Role } from '../platform/auth';

/**
 * Who may do what (API.md roles). The role check gives 403; a complaint
 * outside the caller's branch or department is answered as if it did not
 * exist (404), so ids outside one's scope leak nothing.
 */
const ROLES_BY_COMMAND: Record<ComplaintCommandType, readonly Role[]> = {
  RegisterComplaint: ['agent', 'callcenter', 'admin'],
  ClassifyComplaint: ['agent', 'callcenter', 'supervisor', 'admin'],
  ResolveOnSite: ['agent', 'supervisor', 'admin'],
  DispatchWorkOrder: ['agent', 'callcenter', 'supervisor', 'admin'],
  ReturnWorkOrder: ['agent', 'callcenter', 'supervisor', 'admin'],
  ReplyToCustomer: ['agent', 'callcenter', 'supervisor', 'admin'],
  RecordSatisfaction: ['agent', 'callcenter', 'supervisor', 'admin'],
  EscalateComplaint: ['agent', 'callcenter', 'supervisor', 'admin'],
  ArchiveComplaint: ['agent', 'callcenter', 'supervisor', 'admin'],
  PauseLevelClock: ['agent', 'callcenter', 'supervisor', 'admin'],
  CompleteCallback: ['agent', 'callcenter', 'supervisor', 'admin'],
  ResumeLevelClock: ['agent', 'callcenter', 'supervisor', 'admin'],
  // the desk records a query it cannot answer on the spot, and the answer once it has it (from the department it asked)
  RecordCustomerQuery: ['agent', 'callcenter', 'supervisor', 'admin'],
  AnswerCustomerQuery: ['agent', 'callcenter', 'supervisor', 'admin'],
  // the deadline scheduler acts as a system admin; no person fires deadlines by hand
  FireDeadline: ['admin'],
  AcceptWorkOrder: ['handler', 'admin'],
  ForwardWorkOrder: ['handler', 'admin'],
  ReplyToWorkOrder: ['handler', 'admin'],
  RequestRefund: ['agent', 'callcenter', 'admin'],
  VerifyRefund: ['accounts', 'admin'],
  ApproveCashRefund: ['supervisor', 'admin'],
  ExecuteRefund: ['agent', 'accounts', 'admin'],
};

export function rolesFor(command: ComplaintCommandType): readonly Role[] {
  return ROLES_BY_COMMAND[command];
}

export function mayRun(principal: Principal, command: ComplaintCommandType): boolean {
  return ROLES_BY_COMMAND[command].includes(principal.role);
}

/** A branch-scoped role sees only its branch's complaints. */
function inBranchScope(principal: Principal, complaint: ComplaintCase): boolean {
  return principal.branch === undefined || principal.branch === complaint.branch;
}

/** A handler sees a complaint only through a work order its department holds or held. */
function inDepartmentScope(principal: Principal, complaint: ComplaintCase, workOrderId?: string): boolean {
  const orders = workOrderId ? complaint.workOrders.filter((w) => w.id === workOrderId) : complaint.workOrders;
  return orders.some((w) => w.hops.some((hop) => hop.department === principal.department));
}

/**
 * May this principal see this complaint at all? (Reads, and the scope half of commands.)
 * For a handler acting on a work order, only the department holding it now may act.
 */
export function canSee(principal: Principal, state: ComplaintState, workOrderId?: string): boolean {
  if (!isRegistered(state)) return true; // "no such id" is decided by the domain: 404 either way
  switch (principal.role) {
    case 'admin':
    case 'analyst':
    case 'callcenter':
      return true;
    case 'agent':
    case 'supervisor':
    case 'accounts':
      return inBranchScope(principal, state);
    case 'handler':
      return inDepartmentScope(principal, state, workOrderId);
  }
}

export function holdsWorkOrderNow(principal: Principal, state: ComplaintState, workOrderId: string): boolean {
  if (principal.role !== 'handler' || !isRegistered(state)) return true;
  const order = state.workOrders.find((w) => w.id === workOrderId);
  return order === undefined || order.department === principal.department;
}

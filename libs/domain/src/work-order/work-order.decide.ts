import { ComplaintCase } from '../complaint/complaint.state';
import {
  AcceptWorkOrder,
  DispatchWorkOrder,
  ForwardWorkOrder,
  ReplyToWorkOrder,
  ReturnWorkOrder,
  WorkOrderCommand,
} from '../complaint/complaint.commands';
import { clockPolicyVersion, ComplaintPolicy, isKnownDepartment } from '../policy/complaint-policy';
import { assertNever } from '../shared/decider';
import { CommandRefused, NotFound } from '../shared/domain-error';
import { addMinutes, notAfter } from '../shared/time';
import { WorkOrderEvent } from './work-order.events';
import { isWorkOrderOpen, WorkOrderState } from './work-order.state';

function departmentName(policy: ComplaintPolicy, department: string): string {
  return policy.departments[department]?.name ?? department;
}

function requireKnownDepartment(policy: ComplaintPolicy, department: string): void {
  if (!isKnownDepartment(policy, department)) {
    throw new CommandRefused('department.unknown', `there is no department "${department}"; known: ${Object.keys(policy.departments).join(', ')}`);
  }
}

function findWorkOrder(complaint: ComplaintCase, workOrderId: string): WorkOrderState {
  const workOrder = complaint.workOrders.find((w) => w.id === workOrderId);
  if (!workOrder) throw new NotFound('work_order.not_found', `work order ${workOrderId} does not exist`);
  return workOrder;
}

function refuseUnlessOpen(workOrder: WorkOrderState, doing: string): void {
  if (workOrder.status === 'replied') {
    throw new CommandRefused('work_order.already_replied', `cannot ${doing}: work order ${workOrder.id} was already answered at ${workOrder.repliedAt}`);
  }
  if (workOrder.status === 'returned') {
    throw new CommandRefused('work_order.returned', `cannot ${doing}: work order ${workOrder.id} was returned to the desk at ${workOrder.returnedAt}`);
  }
}

function dispatch(command: DispatchWorkOrder, complaint: ComplaintCase, policy: ComplaintPolicy): WorkOrderEvent[] {
  const { workOrderId, department, note, complaintId } = command.data;
  const { now } = command.context;
  const existing = complaint.workOrders.find((w) => w.id === workOrderId);
  if (existing) {
    throw new CommandRefused('work_order.already_exists', `work order ${workOrderId} already exists`);
  }
  if (!['registered', 'in_progress', 'dispatched'].includes(complaint.status)) {
    throw new CommandRefused(
      'complaint.not_dispatchable',
      `complaint ${complaint.id} is ${complaint.status}: a work order is dispatched only while it is being handled (registered, in progress or dispatched)`,
    );
  }
  requireKnownDepartment(policy, department);
  const open = complaint.workOrders.find((w) => isWorkOrderOpen(w) && w.department === department);
  if (open) {
    throw new CommandRefused('work_order.already_open', `work order ${open.id} is already with ${departmentName(policy, department)}; wait for its reply or forward it`);
  }
  return [
    {
      type: 'WorkOrderDispatched',
      data: { complaintId, workOrderId, department, note, dispatchedAt: now, hop: 1, replyDueAt: addMinutes(now, policy.workOrderReplyMinutes), ...clockPolicyVersion(complaint, policy) },
    },
  ];
}

function accept(command: AcceptWorkOrder, workOrder: WorkOrderState): WorkOrderEvent[] {
  refuseUnlessOpen(workOrder, 'accept');
  if (workOrder.status === 'accepted') return []; // already accepted: a retry changes nothing
  const { complaintId, workOrderId } = command.data;
  return [{ type: 'WorkOrderAccepted', data: { complaintId, workOrderId, department: workOrder.department, acceptedAt: command.context.now } }];
}

function forward(command: ForwardWorkOrder, workOrder: WorkOrderState, complaint: ComplaintCase, policy: ComplaintPolicy): WorkOrderEvent[] {
  const { complaintId, workOrderId, department, reason } = command.data;
  const { now } = command.context;
  refuseUnlessOpen(workOrder, 'forward');
  requireKnownDepartment(policy, department);
  if (department === workOrder.department) {
    throw new CommandRefused('work_order.forward_to_self', `work order ${workOrderId} is already with ${departmentName(policy, department)}`);
  }
  return [
    {
      type: 'WorkOrderForwarded',
      data: {
        complaintId,
        workOrderId,
        fromDepartment: workOrder.department,
        toDepartment: department,
        reason,
        forwardedAt: now,
        hop: workOrder.hops.length + 1,
        replyDueAt: addMinutes(now, policy.workOrderReplyMinutes),
        ...clockPolicyVersion(complaint, policy),
      },
    },
  ];
}

function reply(command: ReplyToWorkOrder, workOrder: WorkOrderState): WorkOrderEvent[] {
  const { complaintId, workOrderId, opinion, resolved } = command.data;
  const { now } = command.context;
  refuseUnlessOpen(workOrder, 'reply');
  return [
    {
      type: 'WorkOrderReplied',
      data: {
        complaintId,
        workOrderId,
        department: workOrder.department,
        opinion,
        resolved,
        repliedAt: now,
        hop: workOrder.hops.length,
        onTime: notAfter(now, workOrder.replyDueAt),
      },
    },
  ];
}

function returnToDesk(command: ReturnWorkOrder, workOrder: WorkOrderState, complaint: ComplaintCase): WorkOrderEvent[] {
  const { complaintId, workOrderId, reason } = command.data;
  if (workOrder.status === 'returned') {
    throw new CommandRefused('work_order.returned', `work order ${workOrderId} was already returned at ${workOrder.returnedAt}`);
  }
  if (workOrder.status !== 'replied') {
    throw new CommandRefused('work_order.not_replied', `work order ${workOrderId} has no reply yet to judge; wait for it or forward it`);
  }
  if (complaint.status === 'answered' || complaint.status === 'satisfied') {
    throw new CommandRefused('complaint.already_answered', `complaint ${complaint.id} was already answered to the customer; record their satisfaction instead`);
  }
  return [{ type: 'WorkOrderReturned', data: { complaintId, workOrderId, department: workOrder.department, reason, returnedAt: command.context.now } }];
}

/** The work-order rules (§17 steps 4 to 7), over the complaint that holds the order. */
/** `policy`: the one in force now, which judges the reply clock a dispatch or a forward starts (and knows the departments) */
export function decideWorkOrder(command: WorkOrderCommand, complaint: ComplaintCase, policy: ComplaintPolicy): WorkOrderEvent[] {
  if (command.type === 'DispatchWorkOrder') return dispatch(command, complaint, policy);
  const workOrder = findWorkOrder(complaint, command.data.workOrderId);
  switch (command.type) {
    case 'AcceptWorkOrder':
      return accept(command, workOrder);
    case 'ForwardWorkOrder':
      return forward(command, workOrder, complaint, policy);
    case 'ReplyToWorkOrder':
      return reply(command, workOrder);
    case 'ReturnWorkOrder':
      return returnToDesk(command, workOrder, complaint);
    default:
      return assertNever(command);
  }
}

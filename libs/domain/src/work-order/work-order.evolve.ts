import { assertNever } from '../shared/decider';
import { WorkOrderEvent } from './work-order.events';
import { WorkOrderHop, WorkOrderState } from './work-order.state';

function endHop(hops: WorkOrderHop[], at: string, outcome: WorkOrderHop['outcome']): WorkOrderHop[] {
  return hops.map((hop, index) => (index === hops.length - 1 ? { ...hop, endedAt: at, outcome } : hop));
}

/** The work order after one of its events; `undefined` before it was dispatched. */
export function evolveWorkOrder(workOrder: WorkOrderState | undefined, event: WorkOrderEvent): WorkOrderState {
  if (event.type === 'WorkOrderDispatched') {
    const { workOrderId, department, dispatchedAt, replyDueAt, note, hop, policyVersion } = event.data;
    return {
      id: workOrderId,
      status: 'dispatched',
      department,
      dispatchedAt,
      replyDueAt,
      note,
      hops: [{ hop, department, startedAt: dispatchedAt, replyDueAt, ...(policyVersion !== undefined && { policyVersion }) }],
    };
  }
  if (!workOrder) throw new Error(`${event.type} for work order ${event.data.workOrderId} before it was dispatched`);
  switch (event.type) {
    case 'WorkOrderAccepted':
      return { ...workOrder, status: 'accepted', acceptedAt: event.data.acceptedAt };
    case 'WorkOrderForwarded': {
      const { toDepartment, forwardedAt, replyDueAt, hop, policyVersion } = event.data;
      return {
        ...workOrder,
        status: 'dispatched',
        department: toDepartment,
        replyDueAt,
        acceptedAt: undefined,
        hops: [...endHop(workOrder.hops, forwardedAt, 'forwarded'), { hop, department: toDepartment, startedAt: forwardedAt, replyDueAt, ...(policyVersion !== undefined && { policyVersion }) }],
      };
    }
    case 'WorkOrderReplied': {
      const { repliedAt, opinion, resolved } = event.data;
      return { ...workOrder, status: 'replied', repliedAt, opinion, resolved, hops: endHop(workOrder.hops, repliedAt, 'replied') };
    }
    case 'WorkOrderReturned':
      return { ...workOrder, status: 'returned', returnedAt: event.data.returnedAt, returnReason: event.data.reason };
    default:
      return assertNever(event);
  }
}

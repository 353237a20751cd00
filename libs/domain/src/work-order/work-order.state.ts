import { Instant } from '../shared/time';

/** One department's turn with a work order; each has its own reply clock. */
export interface WorkOrderHop {
  hop: number;
  department: string;
  startedAt: Instant;
  replyDueAt: Instant;
  /** the policy version its clock is judged by, when not the complaint's own */
  policyVersion?: string;
  /** when the department gave the order up: replied, or forwarded it */
  endedAt?: Instant;
  outcome?: 'replied' | 'forwarded';
  /** the latest early warning of this hop's clock */
  warning?: 'warn50' | 'warn80';
  /** its hour passed without a reply */
  overdue?: boolean;
}

export type WorkOrderStatus = 'dispatched' | 'accepted' | 'replied' | 'returned';

export interface WorkOrderState {
  id: string;
  status: WorkOrderStatus;
  /** the department holding it now */
  department: string;
  dispatchedAt: Instant;
  replyDueAt: Instant;
  acceptedAt?: Instant;
  repliedAt?: Instant;
  opinion?: string;
  resolved?: boolean;
  returnedAt?: Instant;
  returnReason?: string;
  note?: string;
  hops: WorkOrderHop[];
}

/** still waiting for its department */
export function isWorkOrderOpen(workOrder: WorkOrderState): boolean {
  return workOrder.status === 'dispatched' || workOrder.status === 'accepted';
}

import { Instant } from '../shared/time';

/**
 * A work order (工单) lives inside its complaint's stream: the rules that tie
 * them (a complaint is answered only when its work orders are) need one
 * consistency boundary. Each dispatch or forward opens a hop, and each hop has
 * its own one-hour reply clock charged to the department holding it.
 */
export type WorkOrderDispatched = {
  type: 'WorkOrderDispatched';
  data: {
    complaintId: string;
    workOrderId: string;
    department: string;
    note?: string;
    dispatchedAt: Instant;
    hop: number;
    replyDueAt: Instant;
    /** the policy version this clock is judged by, when not the complaint's own (a policy put in force after it was registered) */
    policyVersion?: string;
  };
};

export type WorkOrderAccepted = {
  type: 'WorkOrderAccepted';
  data: { complaintId: string; workOrderId: string; department: string; acceptedAt: Instant };
};

export type WorkOrderForwarded = {
  type: 'WorkOrderForwarded';
  data: {
    complaintId: string;
    workOrderId: string;
    fromDepartment: string;
    toDepartment: string;
    reason: string;
    forwardedAt: Instant;
    hop: number;
    replyDueAt: Instant;
    /** the policy version this clock is judged by, when not the complaint's own (a policy put in force after it was registered) */
    policyVersion?: string;
  };
};

export type WorkOrderReplied = {
  type: 'WorkOrderReplied';
  data: {
    complaintId: string;
    workOrderId: string;
    department: string;
    opinion: string;
    resolved: boolean;
    repliedAt: Instant;
    hop: number;
    /** replied within the hop's hour */
    onTime: boolean;
  };
};

export type WorkOrderReturned = {
  type: 'WorkOrderReturned';
  data: { complaintId: string; workOrderId: string; department: string; reason: string; returnedAt: Instant };
};

export type WorkOrderEvent = WorkOrderDispatched | WorkOrderAccepted | WorkOrderForwarded | WorkOrderReplied | WorkOrderReturned;

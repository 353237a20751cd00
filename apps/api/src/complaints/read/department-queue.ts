import { Injectable } from '@nestjs/common';
import { LiveView, LiveViews, LoggedEvent } from './live-views';

export interface QueuedWorkOrder {
  workOrderId: string;
  complaintId: string;
  department: string;
  status: 'dispatched' | 'accepted';
  hop: number;
  receivedAt: string;
  replyDueAt: string;
  branch: string;
  category: string;
  level: number;
  vip: boolean;
}

/** Open work orders by the department holding them: a department's inbox. */
@Injectable()
export class DepartmentQueue implements LiveView {
  private readonly complaints = new Map<string, { branch: string; category: string; level: number; vip: boolean }>();
  private readonly open = new Map<string, QueuedWorkOrder>();

  constructor(private readonly views: LiveViews) {
    views.register(this);
  }

  apply(event: LoggedEvent): void {
    switch (event.type) {
      case 'ComplaintRegistered': {
        const { complaintId, branch, category, level, customer } = event.data;
        this.complaints.set(complaintId, { branch, category, level, vip: customer.vip });
        return;
      }
      case 'ComplaintClassified': {
        const known = this.complaints.get(event.data.complaintId);
        if (known) this.complaints.set(event.data.complaintId, { ...known, category: event.data.category, level: event.data.level });
        return;
      }
      case 'WorkOrderDispatched': {
        const { workOrderId, complaintId, department, hop, dispatchedAt, replyDueAt } = event.data;
        const complaint = this.complaints.get(complaintId);
        if (!complaint) return;
        this.open.set(workOrderId, { workOrderId, complaintId, department, status: 'dispatched', hop, receivedAt: dispatchedAt, replyDueAt, ...complaint });
        return;
      }
      case 'WorkOrderAccepted': {
        const order = this.open.get(event.data.workOrderId);
        if (order) this.open.set(order.workOrderId, { ...order, status: 'accepted' });
        return;
      }
      case 'WorkOrderForwarded': {
        const order = this.open.get(event.data.workOrderId);
        const { toDepartment, hop, forwardedAt, replyDueAt } = event.data;
        if (order) this.open.set(order.workOrderId, { ...order, department: toDepartment, status: 'dispatched', hop, receivedAt: forwardedAt, replyDueAt });
        return;
      }
      case 'WorkOrderReplied':
      case 'WorkOrderReturned':
        this.open.delete(event.data.workOrderId);
        return;
      default:
        return;
    }
  }

  /** the department's open work orders, the one due soonest first */
  async forDepartment(department: string): Promise<QueuedWorkOrder[]> {
    await this.views.caughtUp();
    return [...this.open.values()].filter((o) => o.department === department).sort((a, b) => a.replyDueAt.localeCompare(b.replyDueAt));
  }
}

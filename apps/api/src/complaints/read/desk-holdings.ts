import { Injectable } from '@nestjs/common';
import { ComplaintCase, evolveComplaint, HandoverItem, initialComplaintState, isRegistered, isWorkOrderOpen } from '@complaints/domain';
import { RecordedEvent } from '@complaints/event-store';
import { LiveView, LiveViews, LoggedEvent } from './live-views';

/**
 * Which desk agent holds each open complaint: the one who registered it,
 * until an acknowledged handover gives it to another. Archived complaints
 * leave the view.
 */
@Injectable()
export class DeskHoldings implements LiveView {
  private readonly open = new Map<string, { holder: string; complaint: ComplaintCase }>();
  private readonly pendingHandovers = new Map<string, { toAgent: string; items: HandoverItem[] }>();

  constructor(private readonly views: LiveViews) {
    views.register(this);
  }

  apply(event: LoggedEvent, recorded: RecordedEvent): void {
    switch (event.type) {
      case 'HandoverRecorded':
        this.pendingHandovers.set(event.data.handoverId, { toAgent: event.data.toAgent, items: event.data.items });
        return;
      case 'HandoverAcknowledged': {
        const handover = this.pendingHandovers.get(event.data.handoverId);
        this.pendingHandovers.delete(event.data.handoverId);
        for (const item of handover?.items ?? []) {
          const held = this.open.get(item.complaintId);
          if (held) held.holder = handover!.toAgent;
        }
        return;
      }
      case 'ComplaintRegistered': {
        const complaint = evolveComplaint(initialComplaintState(), event);
        if (isRegistered(complaint) && !this.open.has(event.data.complaintId)) {
          this.open.set(event.data.complaintId, { holder: recorded.metadata.actor ?? 'unknown', complaint });
        }
        return;
      }
      default: {
        const held = this.open.get(event.data.complaintId);
        if (!held) return;
        const next = evolveComplaint(held.complaint, event);
        if (!isRegistered(next) || next.status === 'archived') this.open.delete(event.data.complaintId);
        else held.complaint = next;
      }
    }
  }

  /** the open complaints an agent holds, with their open work orders */
  async heldBy(agent: string): Promise<HandoverItem[]> {
    await this.views.caughtUp();
    const items: HandoverItem[] = [];
    for (const [complaintId, { holder, complaint }] of this.open) {
      if (holder !== agent) continue;
      items.push({ complaintId, status: complaint.status, openWorkOrders: complaint.workOrders.filter(isWorkOrderOpen).map((w) => w.id) });
    }
    return items;
  }
}

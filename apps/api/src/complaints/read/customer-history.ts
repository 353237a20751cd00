import { Inject, Injectable } from '@nestjs/common';
import { Clock, CLOCK } from '@complaints/application';
import { LiveView, LiveViews, LoggedEvent } from './live-views';

const DAY_MS = 86_400_000;

/**
 * Complaints per MSISDN, closed ones included: the repeat-complainant fact
 * (3+ complaints in 30 days) that reaches the decider inside the command.
 */
@Injectable()
export class CustomerHistory implements LiveView {
  private readonly byMsisdn = new Map<string, Map<string, number>>();

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly views: LiveViews,
  ) {
    views.register(this);
  }

  apply(event: LoggedEvent): void {
    if (event.type !== 'ComplaintRegistered') return;
    const { customer, complaintId, registeredAt } = event.data;
    const complaints = this.byMsisdn.get(customer.msisdn) ?? new Map<string, number>();
    complaints.set(complaintId, Date.parse(registeredAt));
    this.byMsisdn.set(customer.msisdn, complaints);
  }

  /** how many complaints the number made in the last `days` days, not counting `excludeComplaintId` */
  async complaintsWithin(msisdn: string, days: number, excludeComplaintId: string): Promise<number> {
    await this.views.caughtUp();
    const since = this.clock.now().getTime() - days * DAY_MS;
    let count = 0;
    for (const [id, at] of this.byMsisdn.get(msisdn) ?? []) if (id !== excludeComplaintId && at >= since) count++;
    return count;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { ComplaintCase, ComplaintEvent, evolveComplaint, initialComplaintState, isRegistered } from '@complaints/domain';
import { EVENT_STORE, EventStore, RecordedEvent } from '@complaints/event-store';
import { Principal } from '../../platform/auth';
import { ResourceNotFound } from '../../platform/http';
import { canSee } from '../complaint-access.policy';
import { complaintStreamId } from '../complaint-ids';

export interface LoadedComplaint {
  complaint: ComplaintCase;
  revision: number;
  events: RecordedEvent[];
}

/** Reads one complaint from its own stream: always current, with its revision for the ETag. */
@Injectable()
export class ComplaintReader {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** the complaint as `principal` may see it; 404 when it does not exist or is outside their scope */
  async load(complaintId: string, principal: Principal, notFound = `complaint ${complaintId} does not exist`): Promise<LoadedComplaint> {
    const { revision, events } = await this.store.readStream(complaintStreamId(complaintId));
    const state = events.reduce((s, e) => evolveComplaint(s, { type: e.type, data: e.data } as ComplaintEvent), initialComplaintState());
    if (!isRegistered(state) || !canSee(principal, state)) throw new ResourceNotFound(notFound);
    return { complaint: state, revision, events };
  }
}

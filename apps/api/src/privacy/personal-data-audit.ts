import { Inject, Injectable } from '@nestjs/common';
import { Clock, CLOCK } from '@complaints/application';
import { PersonalDataViewed, personalDataReadsStream } from '@complaints/domain';
import { EVENT_STORE, EventStore, newEventId } from '@complaints/event-store';
import { Principal } from '../platform/auth';

/**
 * Records every unmasked read of complaints' personal data by a person, as an
 * event on the viewer's own audit stream. Analysts only ever see masked data,
 * so their reads are not personal-data reads.
 */
@Injectable()
export class PersonalDataAudit {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async recordRead(principal: Principal, view: PersonalDataViewed['data']['view'], complaintIds: readonly string[]): Promise<void> {
    if (principal.role === 'analyst' || complaintIds.length === 0) return;
    const viewedAt = this.clock.now().toISOString();
    const event: PersonalDataViewed = { type: 'PersonalDataViewed', data: { viewer: principal.sub, role: principal.role, view, complaintIds: [...complaintIds], viewedAt } };
    await this.store.append(personalDataReadsStream(principal.sub), [{ id: newEventId(), type: event.type, data: event.data, metadata: { actor: principal.sub, role: principal.role, occurredAt: viewedAt } }], {
      expectedRevision: 'any',
    });
  }
}

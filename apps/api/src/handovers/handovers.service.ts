import { Inject, Injectable } from '@nestjs/common';
import { Clock, CLOCK, CommandPipeline } from '@complaints/application';
import { HandoverCommand, handoverDecider, HandoverState } from '@complaints/domain';
import { EVENT_STORE, EventStore } from '@complaints/event-store';
import { Principal } from '../platform/auth';
import { ResourceNotFound } from '../platform/http';
import { CommandIdentity } from '../complaints/complaint-ids';

const streamOf = (id: string) => `handover-${id}`;

function view(state: HandoverState, revision: number) {
  if (state.status === 'none') throw new Error('no handover');
  return { id: state.id, status: state.status, fromAgent: state.fromAgent, toAgent: state.toAgent, branch: state.branch, note: state.note, items: state.items, handedOverAt: state.handedOverAt, acknowledgedAt: state.acknowledgedAt, revision };
}

/** Runs handover commands through the one pipeline; a handover outside the caller's branch is not found. */
@Injectable()
export class Handovers {
  private readonly pipeline: CommandPipeline;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.pipeline = new CommandPipeline(store);
  }

  async run(principal: Principal, handoverId: string, identity: CommandIdentity, build: (now: string) => HandoverCommand, ifMatch?: number) {
    const now = this.clock.now().toISOString();
    const result = await this.pipeline.execute({
      streamId: streamOf(handoverId),
      decider: handoverDecider,
      command: build(now),
      expectedRevision: ifMatch,
      retries: ifMatch === undefined ? 3 : 0,
      eventIds: identity.eventId,
      metadata: { actor: principal.sub, role: principal.role, occurredAt: now },
      authorize: (state) => {
        if (state.status !== 'none' && principal.branch !== undefined && state.branch !== principal.branch) {
          throw new ResourceNotFound(`handover ${handoverId} does not exist`);
        }
      },
    });
    return view(result.state, result.revision);
  }

  async read(principal: Principal, handoverId: string) {
    const { revision, events } = await this.store.readStream(streamOf(handoverId));
    const state = events.reduce((s, e) => handoverDecider.evolve(s, { type: e.type, data: e.data } as never), handoverDecider.initialState());
    if (state.status === 'none' || (principal.branch !== undefined && state.branch !== principal.branch)) {
      throw new ResourceNotFound(`handover ${handoverId} does not exist`);
    }
    return view(state, revision);
  }
}

import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ComplaintEvent, COMPLAINT_EVENT_TYPES, HandoverEvent } from '@complaints/domain';
import { EVENT_STORE, EventStore, RecordedEvent, Subscription } from '@complaints/event-store';

/** A view kept in memory from the event log. Idempotent: applying an event twice changes nothing. */
export interface LiveView {
  apply(event: LoggedEvent, recorded: RecordedEvent): void;
}

/** The events of the log the views understand. */
export type LoggedEvent = ComplaintEvent | HandoverEvent;

const KNOWN_TYPES = new Set<string>([...COMPLAINT_EVENT_TYPES, 'HandoverRecorded', 'HandoverAcknowledged']);

/**
 * Feeds the in-memory views from one catch-up subscription on the log, so a
 * restart rebuilds them. Queries await `caughtUp()` first: what a caller
 * wrote before asking is in the answer.
 */
@Injectable()
export class LiveViews implements OnModuleInit, OnApplicationShutdown {
  private subscription?: Subscription;
  private readonly views: LiveView[] = [];

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** views register when constructed; the subscription starts once all are (module init) */
  register(view: LiveView): void {
    this.views.push(view);
  }

  onModuleInit(): void {
    this.subscription = this.store.subscribe(
      (recorded) => {
        if (!KNOWN_TYPES.has(recorded.type)) return;
        const event = { type: recorded.type, data: recorded.data } as LoggedEvent;
        for (const view of this.views) view.apply(event, recorded);
      },
      { fromPosition: 0 },
    );
  }

  async caughtUp(): Promise<void> {
    await this.subscription?.caughtUp();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }
}

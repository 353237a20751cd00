import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { ServerResponse } from 'http';
import type { Logger } from 'pino';
import { EVENT_STORE, EventStore } from '@complaints/event-store';
import { ProjectionHost } from '@complaints/read-models';
import { PROJECTION_HOST } from '../read-models/read-models.module';
import { ROOT_LOGGER } from '../platform/observability/logger.token';

/** how often the log's head is looked at while someone listens */
export const POLL_INTERVAL_MS = 500;
/** a comment line this often keeps proxies and browsers from closing a quiet stream */
export const HEARTBEAT_MS = 20_000;
/** how long an announcement waits for the projections before it goes out anyway */
const PROJECTION_WAIT_MS = 5_000;

/**
 * Tells every connected console when the read models have moved: while at
 * least one stream is open it looks at the head of the event log, waits until
 * the projections have applied it, then sends `{"position": n}` to all. The
 * console refetches what it shows; no event data crosses the stream, so
 * nobody sees more than their reads give them. Works with any event store
 * (it only asks for the head position) and any projection host.
 */
@Injectable()
export class LiveUpdates implements OnModuleDestroy {
  private readonly clients = new Set<ServerResponse>();
  private announced = 0;
  private poll?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private busy = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_HOST) private readonly projections: ProjectionHost,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  get listeners(): number {
    return this.clients.size;
  }

  async add(client: ServerResponse): Promise<void> {
    this.clients.add(client);
    client.on('close', () => this.remove(client));
    if (this.clients.size === 1) this.start();
    // the newcomer learns where things stand, so it can tell a later message from a stale one
    const position = this.announced || (await this.store.headPosition().catch(() => 0));
    this.send(client, position);
  }

  remove(client: ServerResponse): void {
    this.clients.delete(client);
    if (this.clients.size === 0) this.stop();
  }

  onModuleDestroy(): void {
    this.stop();
    // open streams would keep the HTTP server from closing
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private start(): void {
    this.poll = setInterval(() => void this.check(), POLL_INTERVAL_MS);
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) client.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    this.poll.unref();
    this.heartbeat.unref();
  }

  private stop(): void {
    if (this.poll) clearInterval(this.poll);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.poll = this.heartbeat = undefined;
  }

  private async check(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const head = await this.store.headPosition();
      if (head <= this.announced) return;
      await this.projections.waitForPosition(head, PROJECTION_WAIT_MS).catch(() => undefined); // lagging: announce anyway, the reads say what they have
      this.announced = head;
      for (const client of this.clients) this.send(client, head);
    } catch (error) {
      this.logger.warn({ err: error }, 'live updates: could not read the head of the event log');
    } finally {
      this.busy = false;
    }
  }

  private send(client: ServerResponse, position: number): void {
    if (!client.writableEnded) client.write(`event: position\ndata: ${JSON.stringify({ position })}\n\n`);
  }
}

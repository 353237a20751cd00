/* eslint-disable @typescript-eslint/no-explicit-any -- a projection's tables are its own; the database has no one schema type */
import { setTimeout as delay } from 'node:timers/promises';
import { Kysely, Transaction } from 'kysely';
import { RecordedEvent } from '@complaints/event-store';
import { Projection } from '../../projection';

export interface StreamCounterOptions {
  name?: string;
  version?: number;
  /**
   * false: counts every event it is given, even one it has counted before.
   * Not how a projection should be written; the crash test uses it to see an
   * event applied twice.
   */
  idempotent?: boolean;
  /** throws, after writing the batch, when the batch holds such an event: the write must be rolled back */
  failOn?: (event: RecordedEvent) => boolean;
  /** waits this long in each batch, after writing: a test can kill the process inside the transaction */
  delayMs?: number;
  /** called at the start of each batch, with the positions it holds */
  onBatch?: (positions: number[]) => void;
}

export interface StreamCount {
  stream_id: string;
  events: number;
  last_position: number;
}

/**
 * A read model for tests: how many events each stream has. Idempotent the
 * usual way: each row keeps the position of the last event it counted, and
 * an event at or before it is a replay. Set-based: one read and one upsert
 * per batch.
 */
export class StreamCounterProjection implements Projection {
  readonly name: string;
  readonly version: number;
  readonly table: string;
  failOn: StreamCounterOptions['failOn'];
  private readonly idempotent: boolean;
  private readonly delayMs: number;
  private readonly onBatch: StreamCounterOptions['onBatch'];

  constructor(options: StreamCounterOptions = {}) {
    this.name = options.name ?? 'stream-counter';
    this.version = options.version ?? 1;
    this.table = `${this.name.replace(/\W/g, '_')}_counts`;
    this.idempotent = options.idempotent ?? true;
    this.failOn = options.failOn;
    this.delayMs = options.delayMs ?? 0;
    this.onBatch = options.onBatch;
  }

  async migrate(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable(this.table)
      .ifNotExists()
      .addColumn('stream_id', 'text', (column) => column.primaryKey())
      .addColumn('events', 'integer', (column) => column.notNull())
      .addColumn('last_position', 'bigint', (column) => column.notNull())
      .execute();
  }

  async reset(trx: Transaction<any>): Promise<void> {
    await trx.deleteFrom(this.table).execute();
  }

  async apply(trx: Transaction<any>, events: readonly RecordedEvent[]): Promise<void> {
    this.onBatch?.(events.map((event) => event.position));
    const streams = [...new Set(events.map((event) => event.streamId))];
    const stored = (await trx.selectFrom(this.table).selectAll().where('stream_id', 'in', streams).execute()) as StreamCount[];
    const counts = new Map(stored.map((row) => [row.stream_id, { events: Number(row.events), last: Number(row.last_position) }]));
    for (const event of events) {
      const count = counts.get(event.streamId) ?? { events: 0, last: 0 };
      if (this.idempotent && event.position <= count.last) continue;
      counts.set(event.streamId, { events: count.events + 1, last: Math.max(count.last, event.position) });
    }
    const rows = [...counts].map(([stream_id, count]) => ({ stream_id, events: count.events, last_position: count.last }));
    await trx
      .insertInto(this.table)
      .values(rows)
      .onConflict((conflict) =>
        conflict.column('stream_id').doUpdateSet((update) => ({
          events: update.ref('excluded.events'),
          last_position: update.ref('excluded.last_position'),
        })),
      )
      .execute();

    if (this.delayMs > 0) await delay(this.delayMs);
    const poison = this.failOn && events.find(this.failOn);
    if (poison) throw new Error(`${this.name} refuses event ${poison.position}`);
  }

  async dump(db: Kysely<any>): Promise<StreamCount[]> {
    const rows = (await db.selectFrom(this.table).selectAll().orderBy('stream_id').execute()) as StreamCount[];
    return rows.map((row) => ({ stream_id: row.stream_id, events: Number(row.events), last_position: Number(row.last_position) }));
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- a projection's tables are its own; the database has no one schema type */
import { setTimeout as delay } from 'node:timers/promises';
import { Kysely, Transaction } from 'kysely';
import { RecordedEvent } from '@complaints/event-store';
import { ApplyContext, Projection } from '../../projection';
import { StreamCount } from './stream-counter.projection';

/**
 * The stream counter of the runner tests, as a projection that defers while
 * rebuilding: deferred batches only count in memory, the first batch that is
 * not deferred writes every count. What it holds is valid only at the
 * checkpoint its last batch ended at, in the same runner; a deferred batch
 * that finds it otherwise throws, as the complaints projection does.
 */
export class HeldBackCounterProjection implements Projection {
  readonly name: string;
  readonly version = 1;
  readonly defersWhileRebuilding = true;
  readonly table: string;
  /** the context of every batch, in order */
  readonly contexts: (ApplyContext & { positions: number[] })[] = [];
  failOn: ((event: RecordedEvent) => boolean) | undefined;
  delayMs = 0;
  private readonly held = new Map<string, { events: number; last: number }>();
  private heldAt = -1;
  private session: object | undefined;

  constructor(name = 'held-back-counter') {
    this.name = name;
    this.table = `${name.replace(/\W/g, '_')}_counts`;
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
    this.held.clear();
    this.heldAt = -1;
    await trx.deleteFrom(this.table).execute();
  }

  async apply(trx: Transaction<any>, events: readonly RecordedEvent[], context?: ApplyContext): Promise<void> {
    this.contexts.push({ ...context!, positions: events.map((e) => e.position) });
    if (context === undefined || context.session !== this.session || context.checkpoint !== this.heldAt) {
      if (context?.deferred && context.checkpoint !== 0) throw new Error(`the counts held back at ${this.heldAt} are not those of checkpoint ${context.checkpoint}`);
      this.held.clear();
    }
    this.heldAt = -1;
    for (const event of events) if (this.failOn?.(event)) throw new Error(`${this.name} refuses event ${event.position}`);

    // during a deferred rebuild the table is empty: what is held is the whole count
    const streams = [...new Set([...this.held.keys(), ...events.map((e) => e.streamId)])];
    const counts = new Map(this.held);
    if (!context?.deferred && streams.length > 0) {
      const stored = (await trx.selectFrom(this.table).selectAll().where('stream_id', 'in', streams).execute()) as StreamCount[];
      for (const row of stored) if (!counts.has(row.stream_id)) counts.set(row.stream_id, { events: Number(row.events), last: Number(row.last_position) });
    }
    for (const event of events) {
      const count = counts.get(event.streamId) ?? { events: 0, last: 0 };
      if (event.position <= count.last) continue;
      counts.set(event.streamId, { events: count.events + 1, last: event.position });
    }
    if (this.delayMs > 0) await delay(this.delayMs);

    this.held.clear();
    if (context?.deferred) {
      for (const [stream, count] of counts) this.held.set(stream, count);
    } else if (counts.size > 0) {
      const rows = [...counts].map(([stream_id, count]) => ({ stream_id, events: count.events, last_position: count.last }));
      await trx
        .insertInto(this.table)
        .values(rows)
        .onConflict((oc) => oc.column('stream_id').doUpdateSet((eb) => ({ events: eb.ref('excluded.events'), last_position: eb.ref('excluded.last_position') })))
        .execute();
    }
    if (context !== undefined) {
      this.session = context.session;
      this.heldAt = events.length > 0 ? events[events.length - 1].position : context.checkpoint;
    }
  }

  async dump(db: Kysely<any>): Promise<StreamCount[]> {
    const rows = (await db.selectFrom(this.table).selectAll().orderBy('stream_id').execute()) as StreamCount[];
    return rows.map((row) => ({ stream_id: row.stream_id, events: Number(row.events), last_position: Number(row.last_position) }));
  }
}

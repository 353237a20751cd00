
import { PreventiveMeasureRecorded } from '@complaints/domain';
import { RecordedEvent } from '@complaints/event-store';
import { Projection, ReadModelDb, ReadModelTransaction } from '../projection';

export interface PreventiveMeasuresTable {
  id: string;
  period_kind: string;
  period_label: string;
  period_start: string;
  period_end: string;
  category: string;
  subcategory: string | null;
  branch: string | null;
  measure: string;
  recorded_by: string | null;
  recorded_at: string;
}

/** The analysts' preventive measures, by the period and cause they answer. */
export class PreventiveMeasuresProjection implements Projection {
  readonly name = 'preventive-measures';
  readonly version = 1;

  async migrate(db: ReadModelDb): Promise<void> {
    await db.schema
      .createTable('preventive_measures')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('period_kind', 'text', (c) => c.notNull())
      .addColumn('period_label', 'text', (c) => c.notNull())
      .addColumn('period_start', 'text', (c) => c.notNull())
      .addColumn('period_end', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('subcategory', 'text')
      .addColumn('branch', 'text')
      .addColumn('measure', 'text', (c) => c.notNull())
      .addColumn('recorded_by', 'text')
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('preventive_measures_by_period').ifNotExists().on('preventive_measures').columns(['period_kind', 'period_start']).execute();
  }

  async reset(trx: ReadModelTransaction): Promise<void> {
    await trx.deleteFrom('preventive_measures').execute();
  }

  async apply(trx: ReadModelTransaction, events: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      if (recorded.type !== 'PreventiveMeasureRecorded') continue;
      const { data } = { data: recorded.data } as PreventiveMeasureRecorded;
      await trx
        .insertInto('preventive_measures')
        .values({
          id: data.measureId,
          period_kind: data.period.kind,
          period_label: data.period.label,
          period_start: data.period.start,
          period_end: data.period.end,
          category: data.cause.category,
          subcategory: data.cause.subcategory ?? null,
          branch: data.branch ?? null,
          measure: data.measure,
          recorded_by: recorded.metadata.actor ?? null,
          recorded_at: data.recordedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
  }
}

import { PersonalDataViewed } from '@complaints/domain';
import { RecordedEvent } from '@complaints/event-store';
import { Projection, ReadModelDb, ReadModelTransaction } from '../projection';

export interface PersonalDataReadsTable {
  event_id: string;
  complaint_id: string;
  position: number;
  viewer: string;
  role: string;
  view: string;
  viewed_at: string;
}

/** Who read which complaint's personal data unmasked, and when: what an admin lists. */
export class PersonalDataReadsProjection implements Projection {
  readonly name = 'personal-data-reads';
  readonly version = 1;

  async migrate(db: ReadModelDb): Promise<void> {
    await db.schema
      .createTable('personal_data_reads')
      .ifNotExists()
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('complaint_id', 'text', (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('viewer', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('view', 'text', (c) => c.notNull())
      .addColumn('viewed_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('personal_data_reads_pk', ['event_id', 'complaint_id'])
      .execute();
    await db.schema.createIndex('personal_data_reads_by_complaint').ifNotExists().on('personal_data_reads').columns(['complaint_id', 'position']).execute();
    await db.schema.createIndex('personal_data_reads_by_viewer').ifNotExists().on('personal_data_reads').columns(['viewer', 'position']).execute();
    await db.schema.createIndex('personal_data_reads_by_position').ifNotExists().on('personal_data_reads').column('position').execute();
  }

  async reset(trx: ReadModelTransaction): Promise<void> {
    await trx.deleteFrom('personal_data_reads').execute();
  }

  async apply(trx: ReadModelTransaction, events: readonly RecordedEvent[]): Promise<void> {
    const rows = events
      .filter((e) => e.type === 'PersonalDataViewed')
      .flatMap((recorded) => {
        const { data } = { data: recorded.data } as PersonalDataViewed;
        return data.complaintIds.map((complaintId) => ({
          event_id: recorded.id,
          complaint_id: complaintId,
          position: recorded.position,
          viewer: data.viewer,
          role: data.role,
          view: data.view,
          viewed_at: new Date(data.viewedAt).toISOString(),
        }));
      });
    for (let i = 0; i < rows.length; i += 400) {
      await trx.insertInto('personal_data_reads').values(rows.slice(i, i + 400)).onConflict((oc) => oc.columns(['event_id', 'complaint_id']).doNothing()).execute();
    }
  }
}

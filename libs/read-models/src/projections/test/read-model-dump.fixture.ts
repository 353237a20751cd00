import { Kysely } from 'kysely';
import { RecordedEvent } from '@complaints/event-store';
import type { ProjectionLog } from '../../runner/projection-runner';
import { ReadModelTables } from '../read-model.tables';
import { STATS_ROLLUP_TABLE_NAMES } from '../stats-rollups';
import { comparableRow } from './random-history.fixture';

/** every table of allProjections() */
export const READ_MODEL_TABLES = [
  'complaints',
  'complaint_states',
  'complaint_timeline',
  'work_order_hops',
  'refunds',
  'escalations',
  'deadlines',
  'handovers',
  'preventive_measures',
  'personal_data_reads',
  ...STATS_ROLLUP_TABLE_NAMES,
];

/** The log of `events`, as the runner reads it; it grows with the array. */
export function logOf(events: readonly RecordedEvent[]): ProjectionLog {
  return {
    readAll: async ({ fromPosition, limit }) => events.filter((e) => e.position > fromPosition).slice(0, limit ?? events.length),
    headPosition: async () => events.length,
    subscribe: () => ({ caughtUp: async () => undefined, close: async () => undefined }),
  };
}

/** every row of every table, each as JSON, sorted: what a database holds, whatever order it keeps it in */
export async function dumpReadModels(db: Kysely<ReadModelTables>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of READ_MODEL_TABLES) {
    const rows = (await db.selectFrom(table as keyof ReadModelTables).selectAll().execute()) as Record<string, unknown>[];
    out[table] = rows.map((row) => JSON.stringify(comparableRow(table, row))).sort();
  }
  return out;
}

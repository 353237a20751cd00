import { sql, TableMetadata } from 'kysely';
import type { ReadModelDb } from './projection';

/**
 * The tables of the read-model database, as Kysely's introspection finds
 * them, but only those of the read models' own schema: on PostgreSQL the
 * introspection lists every schema of the database (the event store's,
 * other deployments' read models), where a table of the same name may be
 * something else entirely. SQLite has no schemas: all of the file's tables.
 */
export async function readModelTables(db: ReadModelDb): Promise<TableMetadata[]> {
  const tables = await db.introspection.getTables();
  if (tables.every((table) => table.schema === undefined)) return tables;
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  return tables.filter((table) => table.schema === rows[0].schema);
}

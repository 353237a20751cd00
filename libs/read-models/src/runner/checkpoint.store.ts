import { Kysely, Transaction } from 'kysely';

/** A projection's checkpoint: how far into the log its read model is. */
export interface Checkpoint {
  name: string;
  /** the projection version that wrote the read model */
  version: number;
  /** the position of the last event applied; 0: none */
  position: number;
  status: CheckpointStatus;
  /** why the projection is failing; null while it is not */
  lastError: string | null;
  /** when the checkpoint last changed (ISO-8601) */
  updatedAt: string;
}

/**
 * - `rebuilding`: a projection that defers while rebuilding is being rebuilt
 *   from position 0 and has not reached the head of the log yet: its read
 *   model is incomplete, and only the runner doing the rebuild may move the
 *   checkpoint; one that finds it at startup rebuilds it from 0 again.
 */
export type CheckpointStatus = 'ok' | 'failing' | 'rebuilding';

export const CHECKPOINT_TABLE = 'projection_checkpoints';

interface CheckpointRow {
  name: string;
  version: number;
  /** bigint: a string on PostgreSQL (pg returns int8 as text), a number on SQLite */
  position: number | string;
  status: string;
  last_error: string | null;
  updated_at: string;
}

interface CheckpointTables {
  [CHECKPOINT_TABLE]: CheckpointRow;
}

/** Another runner (another process, the CLI) moved the checkpoint since it was read. */
export class CheckpointConflictError extends Error {
  constructor(readonly projection: string) {
    super(`the checkpoint of projection ${projection} was changed by another runner`);
    this.name = 'CheckpointConflictError';
  }
}

/**
 * The `projection_checkpoints` table, in the read-model database itself so
 * that a checkpoint commits in the transaction that changes its read model.
 * Portable SQL only: the same code runs on SQLite and PostgreSQL.
 */
export class CheckpointStore {
  constructor(private readonly db: Kysely<CheckpointTables>) {}

  async migrate(): Promise<void> {
    await this.db.schema
      .createTable(CHECKPOINT_TABLE)
      .ifNotExists()
      .addColumn('name', 'text', (column) => column.primaryKey())
      .addColumn('version', 'integer', (column) => column.notNull())
      .addColumn('position', 'bigint', (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('last_error', 'text')
      .addColumn('updated_at', 'text', (column) => column.notNull())
      .execute();
  }

  async loadAll(): Promise<Map<string, Checkpoint>> {
    const rows = await this.db.selectFrom(CHECKPOINT_TABLE).selectAll().execute();
    return new Map(rows.map((row) => [row.name, toCheckpoint(row)]));
  }

  /** Sets a checkpoint outright (a new projection, a reset): version, position, status ok (or rebuilding). */
  async put(trx: Transaction<CheckpointTables>, name: string, version: number, position: number, status: 'ok' | 'rebuilding' = 'ok'): Promise<void> {
    const row = { name, version, position, status, last_error: null, updated_at: new Date().toISOString() };
    await trx
      .insertInto(CHECKPOINT_TABLE)
      .values(row)
      .onConflict((conflict) =>
        conflict.column('name').doUpdateSet({ version, position, status: row.status, last_error: null, updated_at: row.updated_at }),
      )
      .execute();
  }

  /**
   * Moves a checkpoint from `from` to `to`, clearing a failure, if nobody
   * else moved it: a compare-and-set, so two runners on one database (the
   * CLI rebuilding while the API runs) never both apply the same batch. Run
   * before the projection writes: the row lock is taken first, and a
   * conflict is found before any work is done.
   *
   * A rebuild in progress (status `rebuilding`) moves only by an advance
   * that says so (`rebuilding.from`), and stays so while `rebuilding.to`;
   * other advances leave it alone.
   *
   * @throws {CheckpointConflictError} when the checkpoint is not at `from` with `version`
   */
  async advance(
    trx: Transaction<CheckpointTables>,
    name: string,
    version: number,
    from: number,
    to: number,
    rebuilding: { from: boolean; to: boolean } = { from: false, to: false },
  ): Promise<void> {
    // RETURNING rather than the count of updated rows: a connection that sends changes on without waiting has no count
    const moved = await trx
      .updateTable(CHECKPOINT_TABLE)
      .set({ position: to, status: rebuilding.to ? 'rebuilding' : 'ok', last_error: null, updated_at: new Date().toISOString() })
      .where('name', '=', name)
      .where('version', '=', version)
      .where('position', '=', from)
      .where('status', rebuilding.from ? '=' : '<>', 'rebuilding')
      .returning('name')
      .execute();
    if (moved.length !== 1) throw new CheckpointConflictError(name);
  }

  /**
   * Records a failure; the position stays where the last good batch left it.
   * A rebuild in progress stays one (its status says it must start again),
   * with the error beside it.
   */
  async markFailing(name: string, error: string): Promise<void> {
    const updatedAt = new Date().toISOString();
    await this.db.updateTable(CHECKPOINT_TABLE).set({ status: 'failing', last_error: error, updated_at: updatedAt }).where('name', '=', name).where('status', '<>', 'rebuilding').execute();
    await this.db.updateTable(CHECKPOINT_TABLE).set({ last_error: error, updated_at: updatedAt }).where('name', '=', name).where('status', '=', 'rebuilding').execute();
  }
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    name: row.name,
    version: Number(row.version),
    position: Number(row.position),
    status: row.status === 'failing' || row.status === 'rebuilding' ? row.status : 'ok',
    lastError: row.last_error,
    updatedAt: row.updated_at,
  };
}

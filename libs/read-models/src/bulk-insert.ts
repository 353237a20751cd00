// Each projection owns its own tables, so the shared database has no one schema type.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { CompiledQuery, InsertQueryBuilder, OnConflictBuilder, OnConflictDoNothingBuilder, OnConflictUpdateBuilder, sql, Transaction } from 'kysely';

/** bound parameters per statement: well under SQLite's 32,766 and PostgreSQL's 65,535 */
const MAX_PARAMETERS = 4_000;
/** rows per statement at most, however narrow the table */
const MAX_ROWS = 1000;

export type Conflict =
  /** a row whose key is taken is left as it is */
  | { doNothing: readonly string[] }
  /** a row whose key is taken gets these columns of the new row */
  | { update: readonly string[]; set: readonly string[] }
  /** a row whose key is taken gets these columns of the new row added to its own (counters) */
  | { update: readonly string[]; add: readonly string[] }
  /** a row whose key is taken keeps, of these columns, the later value of the two (by the database's order) */
  | { update: readonly string[]; latest: readonly string[] };

/**
 * Multi-row INSERTs of one table, with the rows as arrays of values in
 * `columns` order: what a projection writes at the end of a batch.
 *
 * Kysely builds and compiles a statement anew for every call, and for a
 * statement of 400 rows of 40 columns that costs more than SQLite's work on
 * it. The statement's text only depends on the number of rows (every value is
 * a parameter), so it is compiled once per row count (by the dialect in use,
 * hence portable) and reused with the next rows' values. The first compile of
 * each shape checks that the parameters are the rows' values in order.
 */
export class BulkInsert {
  readonly rowsPerStatement: number;
  /** compiled text by dialect fingerprint and row count */
  private readonly compiled = new Map<string, string>();

  constructor(
    readonly table: string,
    readonly columns: readonly string[],
    private readonly conflict?: Conflict,
  ) {
    this.rowsPerStatement = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMETERS / columns.length)));
  }

  async run(db: Transaction<any>, rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    const dialect = fingerprint(db);
    for (let start = 0; start < rows.length; ) {
      const part = rows.slice(start, start + statementRows(rows.length - start, this.rowsPerStatement));
      start += part.length;
      const parameters: unknown[] = [];
      for (const row of part) for (let i = 0; i < this.columns.length; i++) parameters.push(row[i]);
      const key = `${dialect}|${part.length}`;
      const text = this.compiled.get(key);
      if (text !== undefined) {
        await db.executeQuery(CompiledQuery.raw(text, parameters));
        continue;
      }
      const query = this.build(db, part).compile();
      if (query.parameters.length !== parameters.length || query.parameters.some((value, i) => value !== parameters[i])) {
        throw new Error(`BulkInsert into ${this.table}: the compiled parameters are not the rows' values in column order`);
      }
      this.compiled.set(key, query.sql);
      await db.executeQuery(query);
    }
  }

  private build(db: Transaction<any>, part: readonly (readonly unknown[])[]): InsertQueryBuilder<any, any, any> {
    const objects = part.map((row) => Object.fromEntries(this.columns.map((column, i) => [column, row[i]])));
    const insert = db.insertInto(this.table).values(objects);
    const conflict = this.conflict;
    if (!conflict) return insert;
    if ('doNothing' in conflict) return insert.onConflict((oc: OnConflictBuilder<any, any>): OnConflictDoNothingBuilder<any, any> => oc.columns(conflict.doNothing as any).doNothing());
    if ('add' in conflict) {
      return insert.onConflict(
        (oc: OnConflictBuilder<any, any>): OnConflictUpdateBuilder<any, any> =>
          oc
            .columns(conflict.update as any)
            .doUpdateSet(Object.fromEntries(conflict.add.map((column) => [column, sql`${sql.ref(`${this.table}.${column}`)} + ${sql.ref(`excluded.${column}`)}`]))),
      );
    }
    if ('latest' in conflict) {
      const later = (column: string) => {
        const [stored, offered] = [sql.ref(`${this.table}.${column}`), sql.ref(`excluded.${column}`)];
        return sql`case when ${offered} > ${stored} then ${offered} else ${stored} end`;
      };
      return insert.onConflict(
        (oc: OnConflictBuilder<any, any>): OnConflictUpdateBuilder<any, any> =>
          oc.columns(conflict.update as any).doUpdateSet(Object.fromEntries(conflict.latest.map((column) => [column, later(column)]))),
      );
    }
    return insert.onConflict(
      (oc: OnConflictBuilder<any, any>): OnConflictUpdateBuilder<any, any> =>
        oc.columns(conflict.update as any).doUpdateSet(Object.fromEntries(conflict.set.map((column) => [column, sql.ref(`excluded.${column}`)]))),
    );
  }
}

/**
 * How many of the `left` rows the next statement takes: full statements,
 * then powers of two. So a table has a dozen statement shapes at most, not
 * one per remainder: every shape is a prepared statement the connection
 * keeps, and one of thousands of parameters holds a megabyte.
 */
function statementRows(left: number, most: number): number {
  if (left >= most) return most;
  return 2 ** Math.floor(Math.log2(left));
}

/** what tells the dialects apart in compiled text: the form of a bound parameter */
function fingerprint(db: Transaction<any>): string {
  return db.selectFrom('t').select('c').where('c', '=', 0).compile().sql;
}

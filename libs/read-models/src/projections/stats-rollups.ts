// Each projection owns its own tables, so the shared database has no one schema type.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { Kysely, sql, SqliteAdapter, Transaction } from 'kysely';
import { BulkInsert } from '../bulk-insert';

/**
 * Daily rollups of what `statsSummary` counts, kept by the complaints
 * projection beside the detailed rows, so that a month's statistics sum a few
 * rows a day instead of reading every complaint and work-order hop.
 *
 * A day is a calendar day in China Standard Time (the reports' days), of the
 * instant that puts an entity into a period: a complaint's registration, a
 * hop's start, a refund's request. Every figure that depends on `asOf` is a
 * fact with an instant of its own (a complaint archived at, a hop ended at,
 * …); a rollup counts it whenever it happened ("as of now"). So a day's rollup
 * is exact for an `asOf` only when every fact of that day's entities happened
 * by `asOf`: `stats_settlement` counts the facts of each day by the day they
 * happened on, and `stats_horizons` keeps, per family, an instant no fact is
 * later than. The query takes from the rollups the days that are settled for
 * its `asOf` and reads the others (and the partial days at the edges of its
 * period) from the detailed tables, as before.
 *
 * Every row is the sum of the contributions of the entities as the detailed
 * tables hold them: a batch subtracts what a complaint contributed as stored
 * and adds what it contributes now, in the transaction that writes its rows,
 * and a row whose counts all come back to 0 is deleted, so the rollups are
 * the same whatever batches built them. The horizons are the exception: an
 * upper bound that only grows (a fact that later went away may have raised
 * it); a horizon that is too late only sends more days to the detailed path.
 */

/** China Standard Time: UTC+8 all year since 1991 (see queries/periods.ts) */
const CST_OFFSET_MS = 8 * 3_600_000;

/** the CST calendar date (yyyy-mm-dd) of an ISO-8601 instant */
export function cstDay(at: string): string {
  // the read models' instants are UTC of one width: from 16:00 on it is the next day in CST
  if (at.length !== 24 || at.charCodeAt(23) !== 90 /* Z */) return new Date(Date.parse(at) + CST_OFFSET_MS).toISOString().slice(0, 10);
  const date = at.slice(0, 10);
  return at.charCodeAt(11) > 49 /* 2x */ || (at.charCodeAt(11) === 49 /* 1x */ && at.charCodeAt(12) >= 54) /* 16..19 */ ? nextCstDay(date) : date;
}

/** the instant a CST calendar date begins, as ISO-8601 UTC */
export function cstDayStart(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - CST_OFFSET_MS).toISOString();
}

const following = new Map<string, string>();

/** the calendar date after `day` (yyyy-mm-dd) */
export function nextCstDay(day: string): string {
  let next = following.get(day);
  if (next === undefined) {
    next = new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
    if (following.size >= 10_000) following.clear();
    following.set(day, next);
  }
  return next;
}

/**
 * The histogram bucket of a reply time: four buckets an octave (0..3 s each
 * their own), so a bucket is at most a quarter of its values wide. Integer
 * arithmetic only: the projection and the query must agree on every value.
 */
export function replyBucket(seconds: number): number {
  if (!(seconds > 0)) return 0;
  if (seconds < 4) return Math.floor(seconds);
  const s = Math.min(Math.floor(seconds), 0x7fffffff);
  const octave = 31 - Math.clz32(s);
  return octave * 4 + ((s >>> (octave - 2)) & 3);
}

export type FactFamily = 'complaint' | 'hop' | 'refund';

export interface StatsComplaintsDailyTable {
  day: string;
  branch: string;
  category: string;
  registered: number;
  repeats: number;
  on_site: number;
  asked: number;
  satisfied: number;
  archived: number;
  escalated: number;
  reopened: number;
}

/** complaints registered by channel (the other figures are by category) */
export interface StatsChannelsDailyTable {
  day: string;
  branch: string;
  channel: string;
  registered: number;
}

export interface StatsHopsDailyTable {
  day: string;
  branch: string;
  department: string;
  received: number;
  replied: number;
  forwarded: number;
  judged: number;
  on_time: number;
  /** the sum of the replied hops' handling seconds */
  reply_seconds: number;
}

/** replied hops by reply-time bucket, all branches */
export interface StatsReplyHistogramTable {
  day: string;
  department: string;
  bucket: number;
  n: number;
}

/** the same by branch */
export interface StatsReplyHistogramByBranchTable {
  day: string;
  branch: string;
  department: string;
  bucket: number;
  n: number;
}

/** replied hops by exact reply time, keyed so that one bucket of one department over a range of days is one index range */
export interface StatsReplySecondsTable {
  department: string;
  bucket: number;
  day: string;
  branch: string;
  seconds: number;
  n: number;
}

export interface StatsRefundsDailyTable {
  day: string;
  branch: string;
  requested: number;
  verified: number;
  verified_on_time: number;
  rejected: number;
  executed: number;
  executed_fen: number;
  cash: number;
}

/** how many facts of the entities of `day` happened on `at_day` */
export interface StatsSettlementTable {
  family: string;
  day: string;
  at_day: string;
  n: number;
}

/** no fact of the family is later than `at` */
export interface StatsHorizonsTable {
  family: string;
  at: string;
}

export interface StatsRollupTables {
  stats_complaints_daily: StatsComplaintsDailyTable;
  stats_channels_daily: StatsChannelsDailyTable;
  stats_hops_daily: StatsHopsDailyTable;
  stats_reply_histogram: StatsReplyHistogramTable;
  stats_reply_histogram_by_branch: StatsReplyHistogramByBranchTable;
  stats_reply_seconds: StatsReplySecondsTable;
  stats_refunds_daily: StatsRefundsDailyTable;
  stats_settlement: StatsSettlementTable;
  stats_horizons: StatsHorizonsTable;
}

interface RollupTable {
  name: keyof StatsRollupTables;
  key: readonly string[];
  counts: readonly string[];
}

const COMPLAINTS_DAILY: RollupTable = {
  name: 'stats_complaints_daily',
  key: ['day', 'branch', 'category'],
  counts: ['registered', 'repeats', 'on_site', 'asked', 'satisfied', 'archived', 'escalated', 'reopened'],
};
const CHANNELS_DAILY: RollupTable = { name: 'stats_channels_daily', key: ['day', 'branch', 'channel'], counts: ['registered'] };
const HOPS_DAILY: RollupTable = {
  name: 'stats_hops_daily',
  key: ['day', 'branch', 'department'],
  counts: ['received', 'replied', 'forwarded', 'judged', 'on_time', 'reply_seconds'],
};
const REPLY_HISTOGRAM: RollupTable = { name: 'stats_reply_histogram', key: ['day', 'department', 'bucket'], counts: ['n'] };
const REPLY_HISTOGRAM_BY_BRANCH: RollupTable = { name: 'stats_reply_histogram_by_branch', key: ['day', 'branch', 'department', 'bucket'], counts: ['n'] };
const REPLY_SECONDS: RollupTable = { name: 'stats_reply_seconds', key: ['department', 'bucket', 'day', 'branch', 'seconds'], counts: ['n'] };
const REFUNDS_DAILY: RollupTable = {
  name: 'stats_refunds_daily',
  key: ['day', 'branch'],
  counts: ['requested', 'verified', 'verified_on_time', 'rejected', 'executed', 'executed_fen', 'cash'],
};
const SETTLEMENT: RollupTable = { name: 'stats_settlement', key: ['family', 'day', 'at_day'], counts: ['n'] };

const ROLLUP_TABLES: readonly RollupTable[] = [COMPLAINTS_DAILY, CHANNELS_DAILY, HOPS_DAILY, REPLY_HISTOGRAM, REPLY_HISTOGRAM_BY_BRANCH, REPLY_SECONDS, REFUNDS_DAILY, SETTLEMENT];
const INTEGER_KEYS = new Set(['bucket', 'seconds']);

/** every table of the rollups, for a reset */
export const STATS_ROLLUP_TABLE_NAMES: readonly (keyof StatsRollupTables)[] = [...ROLLUP_TABLES.map((t) => t.name), 'stats_horizons'];

/** creates the rollup tables if missing (idempotent) */
export async function migrateStatsRollups(db: Kysely<any>): Promise<void> {
  // narrow rows read by key ranges: on SQLite the key's b-tree is the table (no second lookup per row)
  const withoutRowid = db.getExecutor().adapter instanceof SqliteAdapter;
  for (const table of ROLLUP_TABLES) {
    let create = db.schema.createTable(table.name).ifNotExists();
    for (const column of table.key) create = create.addColumn(column, INTEGER_KEYS.has(column) ? 'integer' : 'text', (c) => c.notNull());
    for (const column of table.counts) create = create.addColumn(column, 'bigint', (c) => c.notNull());
    create = create.addPrimaryKeyConstraint(`${table.name}_pk`, table.key as any);
    await (withoutRowid ? create.modifyEnd(sql`without rowid`) : create).execute();
  }
  await db.schema
    .createTable('stats_horizons')
    .ifNotExists()
    .addColumn('family', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
}

/** The column positions of the rows the projection writes (values in column order), for the facts read from them. */
export interface RollupColumns {
  complaint: readonly string[];
  hop: readonly string[];
  refund: readonly string[];
}

type Values = readonly unknown[];

const indexesOf = (columns: readonly string[], wanted: readonly string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const name of wanted) {
    const i = columns.indexOf(name);
    if (i < 0) throw new Error(`stats rollups: the rows have no column ${name}`);
    out[name] = i;
  }
  return out;
};

interface Pending {
  key: unknown[];
  counts: number[];
}

/**
 * The rollup changes of a batch: contributions of rows as stored are
 * subtracted, those of the rows written added; `take` gives the net
 * change of each rollup row, written in a few multi-row upserts.
 */
export class StatsRollups {
  private readonly c: Record<string, number>;
  private readonly h: Record<string, number>;
  private readonly r: Record<string, number>;
  private readonly pending = new Map<RollupTable, Map<string, Pending>>();
  private readonly horizons = new Map<FactFamily, string>();
  private readonly upserts = new Map<RollupTable, BulkInsert>();
  /** a horizon only moves later */
  private readonly horizonUpsert = new BulkInsert('stats_horizons', ['family', 'at'], { update: ['family'], latest: ['at'] });

  constructor(columns: RollupColumns) {
    this.c = indexesOf(columns.complaint, [
      'registered_at', 'branch', 'category', 'channel', 'repeat_complaint', 'resolved_on_site', 'resolved_at', 'satisfaction_at', 'satisfied',
      'archived_at', 'first_escalated_at', 'unsatisfied_escalated_at',
    ]);
    this.h = indexesOf(columns.hop, ['department', 'branch', 'started_at', 'reply_due_at', 'ended_at', 'outcome', 'on_time', 'handling_seconds']);
    this.r = indexesOf(columns.refund, ['branch', 'status', 'amount_fen', 'method', 'requested_at', 'verified_at', 'verified_on_time', 'executed_at']);
    for (const table of ROLLUP_TABLES) {
      this.pending.set(table, new Map());
      this.upserts.set(table, new BulkInsert(table.name, [...table.key, ...table.counts], { update: table.key, add: table.counts }));
    }
  }

  /** adds (sign 1) or takes away (sign -1) what a complaint row contributes */
  complaint(sign: 1 | -1, row: Values): void {
    const c = this.c;
    const day = cstDay(row[c.registered_at] as string);
    const resolvedAt = row[c.resolved_on_site] === 1 ? (row[c.resolved_at] as string | null) : null;
    const satisfactionAt = row[c.satisfaction_at] as string | null;
    const archivedAt = row[c.archived_at] as string | null;
    const escalatedAt = row[c.first_escalated_at] as string | null;
    const reopenedAt = row[c.unsatisfied_escalated_at] as string | null;
    this.add(CHANNELS_DAILY, [day, row[c.branch], row[c.channel]], sign, [1]);
    this.add(COMPLAINTS_DAILY, [day, row[c.branch], row[c.category]], sign, [
      1,
      row[c.repeat_complaint] === 1 ? 1 : 0,
      resolvedAt !== null ? 1 : 0,
      satisfactionAt !== null ? 1 : 0,
      satisfactionAt !== null && row[c.satisfied] === 1 ? 1 : 0,
      archivedAt !== null ? 1 : 0,
      escalatedAt !== null ? 1 : 0,
      reopenedAt !== null ? 1 : 0,
    ]);
    for (const at of [resolvedAt, satisfactionAt, archivedAt, escalatedAt, reopenedAt]) if (at !== null) this.fact('complaint', day, at, sign);
  }

  /** … what a work-order hop row contributes */
  hop(sign: 1 | -1, row: Values): void {
    const h = this.h;
    const day = cstDay(row[h.started_at] as string);
    const endedAt = row[h.ended_at] as string | null;
    const dueAt = row[h.reply_due_at] as string;
    const replied = endedAt !== null && row[h.outcome] === 'replied';
    const seconds = replied ? Number(row[h.handling_seconds]) : 0;
    const department = row[h.department];
    const branch = row[h.branch];
    this.add(HOPS_DAILY, [day, branch, department], sign, [
      1,
      replied ? 1 : 0,
      endedAt !== null && row[h.outcome] === 'forwarded' ? 1 : 0,
      // judged once it ended or its hour ran out: a fact at the earlier of the two
      1,
      endedAt !== null && row[h.on_time] === 1 ? 1 : 0,
      seconds,
    ]);
    if (replied) {
      const bucket = replyBucket(seconds);
      this.add(REPLY_HISTOGRAM, [day, department, bucket], sign, [1]);
      this.add(REPLY_HISTOGRAM_BY_BRANCH, [day, branch, department, bucket], sign, [1]);
      this.add(REPLY_SECONDS, [department, bucket, day, branch, seconds], sign, [1]);
    }
    if (endedAt !== null) this.fact('hop', day, endedAt, sign);
    this.fact('hop', day, endedAt !== null && endedAt < dueAt ? endedAt : dueAt, sign);
  }

  /** … what a refund row contributes */
  refund(sign: 1 | -1, row: Values): void {
    const r = this.r;
    const day = cstDay(row[r.requested_at] as string);
    const verifiedAt = row[r.verified_at] as string | null;
    const executedAt = row[r.executed_at] as string | null;
    const amount = row[r.amount_fen];
    this.add(REFUNDS_DAILY, [day, row[r.branch]], sign, [
      1,
      verifiedAt !== null && row[r.status] !== 'rejected' ? 1 : 0,
      verifiedAt !== null && row[r.verified_on_time] === 1 ? 1 : 0,
      verifiedAt !== null && row[r.status] === 'rejected' ? 1 : 0,
      executedAt !== null ? 1 : 0,
      executedAt !== null && amount !== null && amount !== undefined ? Number(amount) : 0,
      executedAt !== null && row[r.method] === 'cash' ? 1 : 0,
    ]);
    if (verifiedAt !== null) this.fact('refund', day, verifiedAt, sign);
    if (executedAt !== null) this.fact('refund', day, executedAt, sign);
  }

  /**
   * The net changes so far, as rows to write (see RollupChanges); starts
   * afresh. Taken when a batch's rows are made, so that they are written
   * with those rows even if that happens later.
   */
  take(): RollupChanges {
    const upserts: { insert: BulkInsert; rows: unknown[][] }[] = [];
    const emptied: { table: RollupTable; key: unknown[] }[] = [];
    for (const table of ROLLUP_TABLES) {
      const pending = this.pending.get(table)!;
      if (pending.size === 0) continue;
      const rows: unknown[][] = [];
      for (const p of pending.values()) {
        if (p.counts.every((n) => n === 0)) continue;
        rows.push([...p.key, ...p.counts]);
        if (p.counts.some((n) => n < 0)) emptied.push({ table, key: p.key });
      }
      pending.clear();
      upserts.push({ insert: this.upserts.get(table)!, rows });
    }
    const horizons = [...this.horizons].map(([family, at]) => [family, at]);
    this.horizons.clear();
    return new RollupChanges(upserts, emptied, horizons, this.horizonUpsert);
  }

  /** forgets what was not written (the batch failed) */
  clear(): void {
    for (const pending of this.pending.values()) pending.clear();
    this.horizons.clear();
  }

  private fact(family: FactFamily, day: string, at: string, sign: 1 | -1): void {
    this.add(SETTLEMENT, [family, day, cstDay(at)], sign, [1]);
    if (sign > 0) {
      const horizon = this.horizons.get(family);
      if (horizon === undefined || at > horizon) this.horizons.set(family, at);
    }
  }

  private add(table: RollupTable, key: unknown[], sign: 1 | -1, counts: number[]): void {
    const pending = this.pending.get(table)!;
    const id = key.join('\u0000');
    const p = pending.get(id);
    if (!p) {
      pending.set(id, { key, counts: sign === 1 ? counts : counts.map((n) => -n) });
      return;
    }
    for (let i = 0; i < counts.length; i++) p.counts[i] += sign * counts[i];
  }
}

/**
 * The net changes of the rollups for some rows of the detailed tables, to be
 * written in the transaction that writes those rows. Statements that only
 * change rows: a connection that sends them on without waiting (a rebuild's)
 * is not held up by them.
 */
export class RollupChanges {
  constructor(
    private readonly upserts: readonly { insert: BulkInsert; rows: unknown[][] }[],
    private readonly emptied: readonly { table: RollupTable; key: unknown[] }[],
    private readonly horizons: readonly unknown[][],
    private readonly horizonUpsert: BulkInsert,
  ) {}

  async write(db: Transaction<any>): Promise<void> {
    for (const { insert, rows } of this.upserts) await insert.run(db, rows);
    // a row all of whose counts came back to 0 goes, as if it had never been
    for (const { table, key } of this.emptied) {
      let remove = db.deleteFrom(table.name);
      table.key.forEach((column, i) => (remove = remove.where(column, '=', key[i])));
      for (const column of table.counts) remove = remove.where(column, '=', 0);
      await remove.execute();
    }
    await this.horizonUpsert.run(db, this.horizons);
  }
}

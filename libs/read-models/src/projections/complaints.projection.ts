import { SqliteAdapter, Transaction } from 'kysely';
import {
  ComplaintCase,
  ComplaintEvent,
  BUILT_IN_POLICIES,
  pendingDeadlinesUnder,
  PoliciesInForce,
  COMPLAINT_EVENT_TYPES,
  ComplaintState,
  evolveComplaint,
  HandoverAcknowledged,
  HandoverRecorded,
  initialComplaintState,
  isRegistered,
} from '@complaints/domain';
import { RecordedEvent } from '@complaints/event-store';
import { BulkInsert } from '../bulk-insert';
import { readModelTables } from '../introspection';
import { ApplyContext, Projection, ReadModelDb, ReadModelTransaction } from '../projection';
import { ComplaintsTable, ComplaintTimelineTable, DeadlinesTable, EscalationsTable, ReadModelTables, RefundsTable, WorkOrderHopsTable } from './read-model.tables';
import { migrateStatsRollups, STATS_ROLLUP_TABLE_NAMES, StatsRollups } from './stats-rollups';

const COMPLAINT_STREAM = 'complaint-';
const KNOWN = new Set<string>(COMPLAINT_EVENT_TYPES);
const HANDOVER_TYPES = new Set<string>(['HandoverRecorded', 'HandoverAcknowledged']);
/** ids per IN list, and rows per handover INSERT */
const CHUNK = 400;

/** ISO-8601 UTC of one width, so text order is time order on every database. */
export function utc(at: string): string {
  // the domain's own instants already are (toISOString); only foreign ones need parsing
  return at.length === 24 && at.charCodeAt(23) === 90 /* Z */ ? at : new Date(at).toISOString();
}

function eventTime(event: RecordedEvent): string {
  return utc(event.metadata.occurredAt ?? event.recordedAt);
}

const flag = (value: boolean) => (value ? 1 : 0);

/** the earliest of some instants (as UTC text), or null */
function earliest(instants: readonly string[]): string | null {
  let first: string | null = null;
  for (const at of instants) {
    const t = utc(at);
    if (first === null || t < first) first = t;
  }
  return first;
}

function complaintRow(
  c: ComplaintCase,
  first: { category: string; subcategory?: string },
  lastPosition: number,
  registeredBy: string | null,
  holder: { agent: string | null; position: number },
  updatedAt: string,
): ComplaintsTable {
  const finalReply = c.customerReplies.find((r) => r.final);
  const answeredAt = c.resolution?.source === 'on_site' ? c.resolution.resolvedAt : finalReply?.repliedAt;
  return {
    id: c.id,
    last_position: lastPosition,
    msisdn: c.customer.msisdn,
    customer_name: c.customer.name ?? null,
    vip: flag(c.customer.vip),
    group_customer: flag(c.customer.groupCustomer),
    channel: c.channel,
    branch: c.branch,
    hall: c.hall ?? null,
    category: c.category,
    subcategory: c.subcategory ?? null,
    first_category: first.category,
    first_subcategory: first.subcategory ?? null,
    level: c.level,
    repeat_complaint: flag(c.levelRaisedBy.includes('repeat_complainant')),
    status: c.status,
    open: flag(c.status !== 'archived'),
    held_by: c.tier,
    registered_at: utc(c.registeredAt),
    registered_by: registeredBy,
    holder: holder.agent,
    holder_position: holder.position,
    due_at: utc(c.dueAt),
    appeal_risk_at: utc(c.appealRiskAt),
    resolved_on_site: flag(c.resolution?.source === 'on_site'),
    resolved_at: c.resolution ? utc(c.resolution.resolvedAt) : null,
    answered_at: answeredAt ? utc(answeredAt) : null,
    satisfied: c.satisfaction ? flag(c.satisfaction.satisfied) : null,
    satisfaction_at: c.satisfaction ? utc(c.satisfaction.recordedAt) : null,
    escalations: c.escalations.length,
    first_escalated_at: earliest(c.escalations.map((e) => e.escalatedAt)),
    unsatisfied_escalated_at: earliest(c.escalations.filter((e) => e.trigger === 'customer_unsatisfied').map((e) => e.escalatedAt)),
    reopens: c.cycle - 1,
    reclassifications: 0,
    work_orders: c.workOrders.length,
    forwards: c.workOrders.reduce((n, w) => n + w.hops.length - 1, 0),
    returns: c.workOrders.filter((w) => w.status === 'returned').length,
    archived_at: c.archivedAt ? utc(c.archivedAt) : null,
    updated_at: updatedAt,
    timeline_position: 0,
    timeline_from: '',
  };
}

/** a timeline version (TIMELINE_COLUMNS order): the queue-relevant fields of `c`, valid from `validFrom` */
function versionRow(complaintId: string, position: number, validFrom: string, c: ComplaintCase): Values {
  return [
    complaintId,
    position,
    validFrom,
    null,
    c.status,
    flag(c.status !== 'archived'),
    c.branch,
    c.channel,
    c.category,
    c.level,
    flag(c.customer.vip),
    c.tier,
    utc(c.dueAt),
    utc(c.appealRiskAt),
    utc(c.registeredAt),
  ];
}

/** whether two states differ in what the timeline keeps (the fields of versionRow) */
function sameTimelineFields(a: ComplaintCase, b: ComplaintCase): boolean {
  return (
    a.status === b.status &&
    a.branch === b.branch &&
    a.channel === b.channel &&
    a.category === b.category &&
    a.level === b.level &&
    flag(a.customer.vip) === flag(b.customer.vip) &&
    a.tier === b.tier &&
    utc(a.dueAt) === utc(b.dueAt) &&
    utc(a.appealRiskAt) === utc(b.appealRiskAt) &&
    utc(a.registeredAt) === utc(b.registeredAt)
  );
}

function hopRows(c: ComplaintCase): WorkOrderHopsTable[] {
  return c.workOrders.flatMap((w) =>
    w.hops.map((h) => ({
      work_order_id: w.id,
      hop: h.hop,
      complaint_id: c.id,
      department: h.department,
      branch: c.branch,
      category: c.category,
      level: c.level,
      vip: flag(c.customer.vip),
      started_at: utc(h.startedAt),
      reply_due_at: utc(h.replyDueAt),
      ended_at: h.endedAt ? utc(h.endedAt) : null,
      outcome: h.outcome ?? null,
      on_time: h.endedAt ? flag(Date.parse(h.endedAt) <= Date.parse(h.replyDueAt)) : null,
      handling_seconds: h.endedAt ? Math.round((Date.parse(h.endedAt) - Date.parse(h.startedAt)) / 1000) : null,
    })),
  );
}

function refundRows(c: ComplaintCase): RefundsTable[] {
  return c.refunds.map((r) => ({
    id: r.id,
    complaint_id: c.id,
    branch: c.branch,
    status: r.status,
    amount_claimed_fen: r.amountClaimedFen,
    amount_fen: r.amountFen ?? null,
    method: r.method ?? null,
    requested_at: utc(r.requestedAt),
    verify_due_at: utc(r.verifyDueAt),
    verified_at: r.verifiedAt ? utc(r.verifiedAt) : null,
    verified_on_time: r.verifiedAt ? flag(Date.parse(r.verifiedAt) <= Date.parse(r.verifyDueAt)) : null,
    executed_at: r.executedAt ? utc(r.executedAt) : null,
  }));
}

function escalationRows(c: ComplaintCase): EscalationsTable[] {
  return c.escalations.map((e, index) => ({
    complaint_id: c.id,
    seq: index + 1,
    branch: c.branch,
    escalated_at: utc(e.escalatedAt),
    from_tier: e.from,
    to_tier: e.to,
    trigger_kind: e.trigger,
  }));
}

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * The values of IN lists, CHUNK at most each, every list padded (with its
 * last value again: the same rows match) to a power of two or to CHUNK. The
 * connection keeps a prepared statement per SQL text, and an IN list of each
 * length from 1 to CHUNK would be a statement of its own (some 256 of them,
 * tens of KB each for the long ones, in the worker's memory for good); so it
 * is a dozen.
 */
function inLists<T>(values: readonly T[]): T[][] {
  return chunks(values).map((part) => {
    const length = part.length === CHUNK ? CHUNK : Math.min(CHUNK, 2 ** Math.ceil(Math.log2(part.length)));
    while (part.length < length) part.push(part[part.length - 1]);
    return part;
  });
}

/** the pending deadlines as the decider sees them: each clock judged by the policy in force when it started */
function deadlineRows(c: ComplaintCase, policies: PoliciesInForce): DeadlinesTable[] {
  return pendingDeadlinesUnder(c, policies).map((d) => ({
    id: d.id,
    complaint_id: d.complaintId,
    clock: d.clock,
    subject: d.subject,
    mark: d.mark,
    due_at: utc(d.dueAt),
    fire_at: utc(d.fireAt),
  }));
}

type Values = unknown[];

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const COMPLAINT_COLUMNS: readonly (keyof ComplaintsTable)[] = [
  'id', 'last_position', 'msisdn', 'customer_name', 'vip', 'group_customer', 'channel', 'branch', 'hall', 'category', 'subcategory',
  'first_category', 'first_subcategory', 'level', 'repeat_complaint', 'status', 'open', 'held_by', 'registered_at', 'registered_by', 'holder',
  'holder_position', 'due_at', 'appeal_risk_at', 'resolved_on_site', 'resolved_at', 'answered_at', 'satisfied', 'satisfaction_at', 'escalations',
  'first_escalated_at', 'unsatisfied_escalated_at', 'reopens', 'reclassifications', 'work_orders', 'forwards', 'returns', 'archived_at', 'updated_at', 'timeline_position', 'timeline_from',
];
/**
 * Indexed columns a complaint's later events never change: an upsert that
 * leaves them out of its SET spares SQLite the rewrite of their indexes. A
 * row whose values there did change anyway is written with the full SET.
 */
const SETTLED_COLUMNS: readonly (keyof ComplaintsTable)[] = ['msisdn', 'branch', 'registered_at'];
const settledValues = (c: ComplaintCase): Values => [c.customer.msisdn, c.branch, utc(c.registeredAt)];

const TIMELINE_COLUMNS: readonly (keyof ComplaintTimelineTable)[] = [
  'complaint_id', 'position', 'valid_from', 'valid_to', 'status', 'open', 'branch', 'channel', 'category', 'level', 'vip', 'held_by', 'due_at', 'appeal_risk_at', 'registered_at',
];
const VALID_TO = TIMELINE_COLUMNS.indexOf('valid_to');

const HOP_COLUMNS: readonly (keyof WorkOrderHopsTable)[] = [
  'work_order_id', 'hop', 'complaint_id', 'department', 'branch', 'category', 'level', 'vip', 'started_at', 'reply_due_at', 'ended_at', 'outcome', 'on_time', 'handling_seconds',
];
const REFUND_COLUMNS: readonly (keyof RefundsTable)[] = [
  'id', 'complaint_id', 'branch', 'status', 'amount_claimed_fen', 'amount_fen', 'method', 'requested_at', 'verify_due_at', 'verified_at', 'verified_on_time', 'executed_at',
];
/** the child tables (`children`) whose rows the statistics rollups count */
const HOPS = 0;
const REFUNDS = 1;

const valuesOf = <Row>(columns: readonly (keyof Row)[]) => (row: Row): Values => columns.map((column) => row[column]);

/** text or numbers in the order the databases' indexes keep them (byte order for the read models' ASCII keys) */
const compare = (a: unknown, b: unknown): number => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0);
const byFirst = (a: Values, b: Values): number => compare(a[0], b[0]);
/** timeline versions (TIMELINE_COLUMNS values) in position order */
const byPosition = (a: Values, b: Values): number => (a[1] as number) - (b[1] as number);

/** the `complaints` row of a stored state, as far as the rollups read it (the columns that follow from the state alone) */
const storedRowOf = (c: ComplaintCase): Values => valuesOf(COMPLAINT_COLUMNS)(complaintRow(c, { category: c.category }, 0, null, { agent: null, position: 0 }, ''));

/**
 * A table with rows of a complaint derived from its state alone (hops,
 * refunds, escalations, deadlines): a batch writes the difference between
 * the rows of the state it started from and those of the state it ends with.
 */
class ChildTable<Row> {
  readonly upsert: BulkInsert;
  private readonly keyIndexes: number[];
  private readonly toValues: (row: Row) => Values;

  constructor(
    readonly table: string,
    readonly columns: readonly (keyof Row & string)[],
    readonly key: readonly (keyof Row & string)[],
    readonly rowsOf: (c: ComplaintCase) => Row[],
  ) {
    this.keyIndexes = key.map((column) => columns.indexOf(column));
    this.toValues = valuesOf(columns);
    const rest = columns.filter((column) => !key.includes(column));
    this.upsert = new BulkInsert(table, columns, { update: key, set: rest });
  }

  keyOf(values: Values): string {
    return this.keyIndexes.length === 1 ? String(values[this.keyIndexes[0]]) : this.keyIndexes.map((i) => String(values[i])).join('\u0000');
  }

  keyValues(values: Values): Values {
    return this.keyIndexes.map((i) => values[i]);
  }

  /** rows in key order */
  readonly byKey = (a: Values, b: Values): number => {
    for (const i of this.keyIndexes) {
      const order = compare(a[i], b[i]);
      if (order !== 0) return order;
    }
    return 0;
  };

  /** the rows of a state, as values in `columns` order */
  values(c: ComplaintCase): Values[] {
    return this.rowsOf(c).map(this.toValues);
  }

  /** rows to write and keys to delete, from the rows of the state before to those of the state after */
  diff(before: readonly Values[], after: readonly Values[], changed: Values[], removed: Values[]): void {
    if (before.length === 0) {
      for (const values of after) changed.push(values);
      return;
    }
    const old = new Map<string, Values>();
    for (const values of before) old.set(this.keyOf(values), values);
    for (const values of after) {
      const key = this.keyOf(values);
      const previous = old.get(key);
      if (previous) old.delete(key);
      if (!previous || !sameValues(previous, values)) changed.push(values);
    }
    for (const values of old.values()) removed.push(this.keyValues(values));
  }

  async remove(db: Transaction<ReadModelTables>, keys: readonly Values[]): Promise<void> {
    if (keys.length === 0) return;
    const table = this.table as keyof ReadModelTables;
    if (this.key.length === 1) {
      for (const part of inLists(keys.map((k) => k[0]))) await db.deleteFrom(table).where(this.key[0] as never, 'in', part as never).execute();
      return;
    }
    for (const k of keys) await db.deleteFrom(table).where((eb) => eb.and(this.key.map((column, i) => eb(column as never, '=', k[i] as never)))).execute();
  }
}

/** A complaint as a batch works on it; kept in memory between batches (see `cache`). */
interface Working {
  /** the state the database holds: what the batch started from */
  base: ComplaintState;
  state: ComplaintState;
  lastPosition: number;
  first: { category: string; subcategory?: string } | undefined;
  reclassifications: number;
  registeredBy: string | null;
  holder: { agent: string | null; position: number };
  updatedAt: string;
  /** the stored timeline version that is still open (valid_to null) */
  open: { position: number; validFrom: string } | undefined;
  /** the rows of each child table (as `children`) that `base` gives, once computed */
  children: Values[][] | undefined;
  /** its `complaints` row as stored (COMPLAINT_COLUMNS values), once known: what it adds to the rollups */
  stored: Values | undefined;
  /** it changed since `base`: its rows are to be written */
  dirty: boolean;
  /** timeline versions opened since `base`, oldest first, as TIMELINE_COLUMNS values */
  versions: Values[];
  /** a queue-relevant field changed since `base`, so the stored open version ends here */
  closesStoredVersionAt: string | undefined;
}

// Every Working is built with the same keys in the same order: one hidden class for the hot loops.
const fresh = (): Working => ({
  base: initialComplaintState(),
  state: initialComplaintState(),
  lastPosition: 0,
  first: undefined,
  reclassifications: 0,
  registeredBy: null,
  holder: { agent: null, position: 0 },
  updatedAt: '',
  open: undefined,
  children: undefined,
  stored: undefined,
  dirty: false,
  versions: [],
  closesStoredVersionAt: undefined,
});

export interface ComplaintsProjectionOptions {
  /**
   * how many folded complaints are kept in memory between batches (default
   * 1,000, some 4 MB), so that the next batch need not read and parse them
   * back; the least recently touched leave first
   */
  cachedComplaints?: number;
  /**
   * how many complaints a rebuild from position 0 keeps in memory, unwritten,
   * until they have been left alone longest (default 6,000): the complaints
   * still active hold some 10 KB each; one that leaves is written once, and
   * rarely read back. The heap of a rebuild grows to a few times what it
   * keeps alive, so this bounds its memory more than it seems
   */
  heldBackComplaints?: number;
}

const DEFAULT_CACHED_COMPLAINTS = 1_000;
const DEFAULT_HELD_BACK_COMPLAINTS = 6_000;

/** A deferred batch found that what it held back in memory is gone: only a rebuild from position 0 can recover. */
export class HeldBackStateLostError extends Error {
  constructor(checkpoint: number) {
    super(`the complaints projection lost what it held back in memory at checkpoint ${checkpoint}; its rebuild must start again from position 0`);
    this.name = 'HeldBackStateLostError';
  }
}

/** The tables of the projection (their secondary indexes apart: see SECONDARY_INDEXES), if missing. */
async function createTables(db: ReadModelDb): Promise<void> {
  await db.schema
    .createTable('complaints')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('last_position', 'bigint', (c) => c.notNull())
    .addColumn('msisdn', 'text', (c) => c.notNull())
    .addColumn('customer_name', 'text')
    .addColumn('vip', 'integer', (c) => c.notNull())
    .addColumn('group_customer', 'integer', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('hall', 'text')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('subcategory', 'text')
    .addColumn('first_category', 'text', (c) => c.notNull())
    .addColumn('first_subcategory', 'text')
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('repeat_complaint', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('open', 'integer', (c) => c.notNull())
    .addColumn('held_by', 'text', (c) => c.notNull())
    .addColumn('registered_at', 'text', (c) => c.notNull())
    .addColumn('registered_by', 'text')
    .addColumn('holder', 'text')
    .addColumn('holder_position', 'bigint', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('appeal_risk_at', 'text', (c) => c.notNull())
    .addColumn('resolved_on_site', 'integer', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('answered_at', 'text')
    .addColumn('satisfied', 'integer')
    .addColumn('satisfaction_at', 'text')
    .addColumn('escalations', 'integer', (c) => c.notNull())
    .addColumn('first_escalated_at', 'text')
    .addColumn('unsatisfied_escalated_at', 'text')
    .addColumn('reopens', 'integer', (c) => c.notNull())
    .addColumn('reclassifications', 'integer', (c) => c.notNull())
    .addColumn('work_orders', 'integer', (c) => c.notNull())
    .addColumn('forwards', 'integer', (c) => c.notNull())
    .addColumn('returns', 'integer', (c) => c.notNull())
    .addColumn('archived_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('timeline_position', 'bigint', (c) => c.notNull())
    .addColumn('timeline_from', 'text', (c) => c.notNull())
    .execute();
  // The folded state apart: 2 KB a complaint that only this projection and handovers read, which
  // would otherwise fill the pages every scan of the complaints reads.
  await db.schema
    .createTable('complaint_states')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('deadlines')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('complaint_id', 'text', (c) => c.notNull())
    .addColumn('clock', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('mark', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('fire_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('deadlines_by_fire_time').ifNotExists().on('deadlines').columns(['fire_at', 'id']).execute();
  await db.schema
    .createTable('handovers')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('to_agent', 'text', (c) => c.notNull())
    .addColumn('complaint_ids', 'text', (c) => c.notNull())
    .execute();

  const rowid = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('complaint_timeline')
    .ifNotExists()
    .addColumn('complaint_id', 'text', (c) => c.notNull())
    // SQLite: the rowid itself (INTEGER PRIMARY KEY), one b-tree instead of a table and its key's index
    .addColumn('position', rowid ? 'integer' : 'bigint', (c) => (rowid ? c.primaryKey() : c.notNull()))
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('valid_to', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('open', 'integer', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('vip', 'integer', (c) => c.notNull())
    .addColumn('held_by', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('appeal_risk_at', 'text', (c) => c.notNull())
    .addColumn('registered_at', 'text', (c) => c.notNull())
    // an event's position is unique across the log: versions are appended in key order
    .$call((table) => (rowid ? table : table.addPrimaryKeyConstraint('complaint_timeline_pk', ['position'])))
    .execute();

  await db.schema
    .createTable('work_order_hops')
    .ifNotExists()
    .addColumn('work_order_id', 'text', (c) => c.notNull())
    .addColumn('hop', 'integer', (c) => c.notNull())
    .addColumn('complaint_id', 'text', (c) => c.notNull())
    .addColumn('department', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('vip', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('reply_due_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('outcome', 'text')
    .addColumn('on_time', 'integer')
    .addColumn('handling_seconds', 'integer')
    .addPrimaryKeyConstraint('work_order_hops_pk', ['work_order_id', 'hop'])
    .execute();

  await db.schema
    .createTable('refunds')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('complaint_id', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount_claimed_fen', 'bigint', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint')
    .addColumn('method', 'text')
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('verify_due_at', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'text')
    .addColumn('verified_on_time', 'integer')
    .addColumn('executed_at', 'text')
    .execute();

  await db.schema
    .createTable('escalations')
    .ifNotExists()
    .addColumn('complaint_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('escalated_at', 'text', (c) => c.notNull())
    .addColumn('from_tier', 'text', (c) => c.notNull())
    .addColumn('to_tier', 'text', (c) => c.notNull())
    .addColumn('trigger_kind', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('escalations_pk', ['complaint_id', 'seq'])
    .execute();

  await migrateStatsRollups(db);
}

/**
 * The secondary indexes of the complaints' tables (the deadlines' index is
 * made with its table). A reset leaves them out: a rebuild from position 0
 * makes each once its tables are full (one sort) rather than keeping it up
 * row by row, and the queries a rebuild would slow down read a model that is
 * not whole anyway.
 */
const SECONDARY_INDEXES: readonly (readonly [name: string, table: string, columns: readonly string[]])[] = [
  ['complaints_by_msisdn', 'complaints', ['msisdn', 'registered_at']],
  ['complaints_by_registration', 'complaints', ['registered_at', 'branch']],
  ['complaints_open_by_branch', 'complaints', ['open', 'branch', 'due_at']],
  ['complaints_by_status', 'complaints', ['status', 'registered_at']],
  ['complaints_by_holder', 'complaints', ['holder', 'open']],
  ['complaint_timeline_by_time', 'complaint_timeline', ['valid_from', 'branch']],
  ['work_order_hops_by_start', 'work_order_hops', ['started_at', 'department']],
  ['work_order_hops_open', 'work_order_hops', ['department', 'ended_at', 'reply_due_at']],
  ['refunds_by_request', 'refunds', ['requested_at', 'branch']],
  ['escalations_by_time', 'escalations', ['escalated_at', 'branch']],
];

async function createSecondaryIndexes(db: ReadModelDb): Promise<void> {
  for (const [name, table, columns] of SECONDARY_INDEXES) await db.schema.createIndex(name).ifNotExists().on(table).columns([...columns]).execute();
}

/** every table the projection owns */
const OWN_TABLES: readonly string[] = ['complaints', 'complaint_states', 'complaint_timeline', 'work_order_hops', 'refunds', 'escalations', 'handovers', 'deadlines', ...STATS_ROLLUP_TABLE_NAMES];

/**
 * Complaints as the queues, searches and statistics read them, folded with
 * the domain's own `evolve` (one truth for what an event means). Each row
 * keeps its folded state and the last position applied, so a replayed event
 * changes nothing. Besides the current row it writes the timeline of
 * queue-relevant states (for `asOf`), the work-order hops with their
 * one-hour clocks, refunds, escalations and the pending deadlines.
 *
 * Set-based: a batch (up to 10,000 events while catching up) is folded in
 * memory, then each table gets a few multi-row statements. A complaint's row
 * is written once per batch; the child tables only get the rows whose values
 * differ between the state the batch started from and the one it ends with;
 * the timeline version a batch ends is closed by a multi-row upsert, and the
 * new versions are inserted. The folded states of recent complaints stay in
 * memory between batches as long as the runner's checkpoint shows that what
 * they describe is what the database holds. The daily rollups of the
 * statistics (stats-rollups.ts) change with the rows they count, in the same
 * transaction.
 *
 * While the runner rebuilds it from position 0 (`context.deferred`), it writes
 * a complaint only when it leaves memory (the active ones stay: see
 * `heldBackComplaints`) or when the rebuild reaches the head of the log: a
 * complaint's rows are then written about once instead of once per batch, and
 * its deadlines and intermediate timeline versions never. The runner marks
 * such a checkpoint as an unfinished rebuild, so a crash before the end starts
 * the rebuild again from 0 rather than from a read model with holes.
 */
export class ComplaintsProjection implements Projection {
  readonly name = 'complaints';
  /** 4: the statistics rollups; 5: registrations by channel in a rollup of their own, the timeline keyed by its rowid on SQLite */
  readonly version = 5;
  readonly defersWhileRebuilding = true;

  private readonly complaints = new BulkInsert('complaints', COMPLAINT_COLUMNS, {
    update: ['id'],
    set: COMPLAINT_COLUMNS.filter((c) => c !== 'id' && !SETTLED_COLUMNS.includes(c)),
  });
  private readonly complaintsFullSet = new BulkInsert('complaints', COMPLAINT_COLUMNS, { update: ['id'], set: COMPLAINT_COLUMNS.filter((c) => c !== 'id') });
  private readonly states = new BulkInsert('complaint_states', ['id', 'state'], { update: ['id'], set: ['state'] });
  /** the stored open version of a complaint, closed (valid_to set) */
  private readonly timelineClose = new BulkInsert('complaint_timeline', TIMELINE_COLUMNS, { update: ['position'], set: ['valid_to'] });
  /**
   * versions opened by the batch's events: their positions are new to the
   * table (an event is folded only past the position its complaint's row
   * stores, in the transaction that writes both), so a plain INSERT, which
   * fails loudly rather than overwrite
   */
  private readonly timelineOpen = new BulkInsert('complaint_timeline', TIMELINE_COLUMNS);
  private readonly children: readonly ChildTable<never>[];
  private readonly rollups = new StatsRollups({ complaint: COMPLAINT_COLUMNS, hop: HOP_COLUMNS, refund: REFUND_COLUMNS });
  private readonly cachedComplaints: number;
  private readonly heldBackComplaints: number;
  /**
   * during a deferred rebuild: the rows of the complaints the last batch let
   * go, made ready but not written yet (the next batch writes them), and
   * those complaints as they will then be stored
   */
  private pending: { rows: PreparedWrite; complaints: Map<string, Working> } | undefined;
  /** during a deferred rebuild: the complaints written so far (any other one is not in the database) */
  private readonly writtenSinceReset = new Set<string>();
  /** a reset left the secondary indexes out */
  private indexesPending = false;
  /** folded complaints by id, least recently touched first; valid at `cachedAt` of `cacheSession` only */
  private readonly cache = new Map<string, Working>();
  private cachedAt = -1;
  private cacheSession: object | undefined;

  constructor(
    private readonly policies: PoliciesInForce = BUILT_IN_POLICIES,
    options: ComplaintsProjectionOptions = {},
  ) {
    this.cachedComplaints = Math.max(0, options.cachedComplaints ?? DEFAULT_CACHED_COMPLAINTS);
    this.heldBackComplaints = Math.max(0, options.heldBackComplaints ?? DEFAULT_HELD_BACK_COMPLAINTS);
    const hops = new ChildTable<WorkOrderHopsTable>('work_order_hops', HOP_COLUMNS, ['work_order_id', 'hop'], hopRows);
    const refunds = new ChildTable<RefundsTable>('refunds', REFUND_COLUMNS, ['id'], refundRows);
    const escalations = new ChildTable<EscalationsTable>(
      'escalations',
      ['complaint_id', 'seq', 'branch', 'escalated_at', 'from_tier', 'to_tier', 'trigger_kind'],
      ['complaint_id', 'seq'],
      escalationRows,
    );
    const deadlines = new ChildTable<DeadlinesTable>(
      'deadlines',
      ['id', 'complaint_id', 'clock', 'subject', 'mark', 'due_at', 'fire_at'],
      ['id'],
      (c) => deadlineRows(c, this.policies),
    );
    this.children = [hops, refunds, escalations, deadlines] as unknown as ChildTable<never>[];
  }

  async migrate(db: ReadModelDb): Promise<void> {
    // Version 3 keeps the folded state in a table of its own, keys the timeline by position and keeps
    // its open version on the complaint. Tables of an earlier version (their checkpoint's version
    // differs, so the runner rebuilds them anyway) are made anew; the indexes by complaint only
    // served the deletes of earlier versions.
    const complaints = (await readModelTables(db)).find((t) => t.name === 'complaints');
    if (complaints && (complaints.columns.some((c) => c.name === 'state') || !complaints.columns.some((c) => c.name === 'timeline_position'))) {
      await db.schema.dropTable('complaint_timeline').ifExists().execute();
      await db.schema.dropTable('complaints').ifExists().execute();
    }
    for (const index of ['deadlines_by_complaint', 'work_order_hops_by_complaint', 'refunds_by_complaint']) await db.schema.dropIndex(index).ifExists().execute();
    await createTables(db);
    await createSecondaryIndexes(db);
  }

  async reset(trx: ReadModelTransaction): Promise<void> {
    this.forget();
    // made anew rather than emptied row by row: quicker, and always of this version's shape
    for (const table of OWN_TABLES) await trx.schema.dropTable(table).ifExists().execute();
    await createTables(trx);
    this.indexesPending = true;
  }

  async apply(trx: ReadModelTransaction, events: readonly RecordedEvent[], context?: ApplyContext): Promise<void> {
    const deferred = context?.deferred === true;
    // What the cache holds describes the database only at the checkpoint its last batch ended at.
    const cached = context !== undefined && context.session === this.cacheSession && context.checkpoint === this.cachedAt;
    if (!cached) {
      // at position 0 nothing is held back (the runner reset the read model); further on, what was is gone
      if (deferred && context.checkpoint !== 0) throw new HeldBackStateLostError(context.checkpoint);
      this.forget();
    }
    this.cachedAt = -1; // until this batch has been applied in full
    const end = events.length > 0 ? events[events.length - 1].position : context?.checkpoint;
    const db = trx as unknown as Transaction<ReadModelTables>;
    // a reset leaves the secondary indexes out: a rebuild makes them once it is through
    if (!deferred && (!cached || this.indexesPending)) {
      await createSecondaryIndexes(trx);
      this.indexesPending = false;
    }

    try {
      let working = new Map<string, Working>();
      const mine = events.filter((e) => (e.streamId.startsWith(COMPLAINT_STREAM) && KNOWN.has(e.type)) || HANDOVER_TYPES.has(e.type));
      let handovers = new Map<string, { toAgent: string; complaintIds: string[] }>();
      if (mine.length > 0) {
        handovers = await this.handovers(db, mine);
        const ids = new Set<string>();
        for (const e of mine) {
          if (e.type === 'HandoverAcknowledged') for (const id of handovers.get((e.data as HandoverAcknowledged['data']).handoverId)?.complaintIds ?? []) ids.add(id);
          else if (e.streamId.startsWith(COMPLAINT_STREAM)) ids.add(e.streamId.slice(COMPLAINT_STREAM.length));
        }
        working = await this.load(db, [...ids], deferred);
      }
      // The rows the previous (deferred) batch made ready go first: on a connection that sends its
      // statements on (a rebuild's, in its own thread) they are written while this batch folds.
      const previous = this.pending;
      this.pending = undefined;
      await previous?.rows.write(db);

      this.fold(mine, working, handovers);
      if (deferred) {
        const leaving = this.holdBack(working);
        const rows = this.prepare(leaving);
        if (rows) this.pending = { rows, complaints: leaving };
      } else {
        // the end of a deferred rebuild: what it held back is written now
        for (const [id, w] of this.cache) if (w.dirty && !working.has(id)) working.set(id, w);
        this.writtenSinceReset.clear();
        await this.prepare(working)?.write(db);
        if (context !== undefined) this.remember(working);
      }
    } finally {
      this.rollups.clear();
    }

    if (context !== undefined && end !== undefined) {
      this.cacheSession = context.session;
      this.cachedAt = end;
    }
  }

  private forget(): void {
    this.cache.clear();
    this.pending = undefined;
    this.writtenSinceReset.clear();
    this.cachedAt = -1;
    this.cacheSession = undefined;
  }

  /**
   * A deferred batch keeps its complaints in memory, unwritten, the most
   * recently touched last; the complaints beyond `heldBackComplaints` leave
   * (returned: the caller writes them now).
   */
  private holdBack(working: Map<string, Working>): Map<string, Working> {
    for (const [id, w] of working) {
      this.cache.delete(id);
      if (isRegistered(w.state)) this.cache.set(id, w);
    }
    const leaving = new Map<string, Working>();
    for (const [id, w] of this.cache) {
      if (this.cache.size - leaving.size <= this.heldBackComplaints) break;
      leaving.set(id, w);
    }
    for (const id of leaving.keys()) {
      this.cache.delete(id);
      this.writtenSinceReset.add(id);
    }
    return leaving;
  }

  /** keeps the batch's complaints for the next one, the least recently touched leaving first */
  private remember(working: Map<string, Working>): void {
    if (this.cachedComplaints === 0) return;
    for (const [id, w] of working) {
      this.cache.delete(id);
      // archived ones too: a callback follows the archive
      if (!isRegistered(w.state)) continue;
      // prepare() took it as stored; its rows follow from `base`: worked out again when it changes next (as for a complaint read back), not kept
      w.children = undefined;
      w.stored = undefined;
      this.cache.set(id, w);
    }
    for (const id of this.cache.keys()) {
      if (this.cache.size <= this.cachedComplaints) break;
      this.cache.delete(id);
    }
  }

  private fold(mine: readonly RecordedEvent[], working: Map<string, Working>, handovers: Map<string, { toAgent: string; complaintIds: string[] }>): void {
    for (const recorded of mine) {
      if (recorded.type === 'HandoverAcknowledged') {
        // the acknowledged handover gives its items to the incoming agent
        const handover = handovers.get((recorded.data as HandoverAcknowledged['data']).handoverId);
        for (const id of handover?.complaintIds ?? []) {
          const w = working.get(id)!;
          if (!isRegistered(w.state) || recorded.position <= w.holder.position) continue;
          w.holder = { agent: handover!.toAgent, position: recorded.position };
          w.dirty = true;
        }
        continue;
      }
      if (recorded.type === 'HandoverRecorded') continue;
      const id = recorded.streamId.slice(COMPLAINT_STREAM.length);
      const w = working.get(id)!;
      if (recorded.position <= w.lastPosition) continue; // applied before: at-least-once delivery
      const event = { type: recorded.type, data: recorded.data } as ComplaintEvent;
      const before = w.state;
      // As evolve makes it: a key it set to undefined is left out of the state's JSON, and one it sets
      // again later may then stand elsewhere in the text than in a state that never went through JSON.
      // The text's key order is no part of the state (JSON.parse gives back the same value).
      const after = evolveComplaint(before, event);
      const at = eventTime(recorded);
      if (event.type === 'ComplaintRegistered') {
        w.first = { category: event.data.category, subcategory: event.data.subcategory };
        w.registeredBy = recorded.metadata.actor ?? null;
        if (w.holder.position === 0) w.holder = { agent: w.registeredBy, position: 0 };
      }
      if (event.type === 'ComplaintClassified') w.reclassifications++;
      if (isRegistered(after) && !(isRegistered(before) && sameTimelineFields(before, after))) {
        const last = w.versions[w.versions.length - 1];
        if (last) last[VALID_TO] = at;
        else if (isRegistered(before)) w.closesStoredVersionAt = at;
        w.versions.push(versionRow(id, recorded.position, at, after));
      }
      w.state = after;
      w.lastPosition = recorded.position;
      w.updatedAt = at;
      w.dirty = true;
    }
  }

  /** the handovers the batch records (kept) or acknowledges (looked up) */
  private async handovers(db: Transaction<ReadModelTables>, events: readonly RecordedEvent[]) {
    const found = new Map<string, { toAgent: string; complaintIds: string[] }>();
    const recorded = events.filter((e) => e.type === 'HandoverRecorded').map((e) => e.data as HandoverRecorded['data']);
    for (const h of recorded) found.set(h.handoverId, { toAgent: h.toAgent, complaintIds: h.items.map((i) => i.complaintId) });
    for (const part of chunks(recorded)) {
      await db
        .insertInto('handovers')
        .values(part.map((h) => ({ id: h.handoverId, to_agent: h.toAgent, complaint_ids: JSON.stringify(h.items.map((i) => i.complaintId)) })))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
    const missing = events
      .filter((e) => e.type === 'HandoverAcknowledged')
      .map((e) => (e.data as HandoverAcknowledged['data']).handoverId)
      .filter((id) => !found.has(id));
    for (const part of inLists(missing)) {
      for (const row of await db.selectFrom('handovers').selectAll().where('id', 'in', part).execute()) {
        found.set(row.id, { toAgent: row.to_agent, complaintIds: JSON.parse(row.complaint_ids) as string[] });
      }
    }
    return found;
  }

  /** the batch's complaints: from the cache, else as stored (with their open timeline version), else new */
  private async load(db: Transaction<ReadModelTables>, ids: string[], deferred: boolean): Promise<Map<string, Working>> {
    const working = new Map<string, Working>();
    const missing: string[] = [];
    for (const id of ids) {
      // the cache, else the rows the last deferred batch made ready (they are what the database will hold)
      const w = this.cache.get(id) ?? this.pending?.complaints.get(id);
      if (w) working.set(id, w);
      // a deferred rebuild started from an empty read model: only what it wrote can be there
      else if (!deferred || this.writtenSinceReset.has(id)) missing.push(id);
    }
    for (const part of inLists(missing)) {
      const rows = await db
        .selectFrom('complaints as c')
        .innerJoin('complaint_states as s', 's.id', 'c.id')
        .select([
          'c.id',
          's.state',
          'c.last_position',
          'c.first_category',
          'c.first_subcategory',
          'c.reclassifications',
          'c.registered_by',
          'c.holder',
          'c.holder_position',
          'c.updated_at',
          'c.timeline_position',
          'c.timeline_from',
        ])
        .where('c.id', 'in', part)
        .execute();
      for (const row of rows) {
        const state = JSON.parse(row.state) as ComplaintCase;
        working.set(row.id, {
          base: state,
          state,
          lastPosition: Number(row.last_position),
          first: { category: row.first_category, subcategory: row.first_subcategory ?? undefined },
          reclassifications: row.reclassifications,
          registeredBy: row.registered_by,
          holder: { agent: row.holder, position: Number(row.holder_position) },
          updatedAt: row.updated_at,
          open: { position: Number(row.timeline_position), validFrom: row.timeline_from },
          children: undefined,
          stored: undefined,
          dirty: false,
          versions: [],
          closesStoredVersionAt: undefined,
        });
      }
    }
    for (const id of ids) if (!working.has(id)) working.set(id, fresh());
    return working;
  }

  /**
   * Works out the rows of the complaints of `working` that changed (their
   * difference with what is stored, the rollups' changes with them), and
   * takes them as stored from then on; returns the statements that write
   * them, undefined when there is nothing to write.
   */
  private prepare(working: Map<string, Working>): PreparedWrite | undefined {
    const changed = [...working.values()].filter((w): w is Working & { state: ComplaintCase } => w.dirty && isRegistered(w.state));
    if (changed.length === 0) return undefined;

    // the timeline: the stored open version ends where this batch's first change begins (the upsert sets its valid_to)
    const closed: Values[] = [];
    const versions: Values[] = [];
    for (const w of changed) {
      if (w.closesStoredVersionAt !== undefined) {
        if (!w.open || !isRegistered(w.base)) throw new Error(`complaint ${w.state.id}: its open timeline version is not known`);
        const version = versionRow(w.state.id, w.open.position, w.open.validFrom, w.base);
        version[VALID_TO] = w.closesStoredVersionAt;
        closed.push(version);
      }
      for (const version of w.versions) versions.push(version);
      const newest = w.versions[w.versions.length - 1];
      if (newest) w.open = { position: newest[1] as number, validFrom: newest[2] as string };
    }

    // the complaints: one row each, whatever the number of its events in the batch
    const rows: Values[] = [];
    const unsettled: Values[] = [];
    for (const w of changed) {
      const row = complaintRow(w.state, w.first ?? { category: w.state.category, subcategory: w.state.subcategory }, w.lastPosition, w.registeredBy, w.holder, w.updatedAt);
      row.reclassifications = w.reclassifications;
      row.timeline_position = w.open!.position;
      row.timeline_from = w.open!.validFrom;
      const values = COMPLAINT_COLUMNS.map((column) => row[column]);
      if (isRegistered(w.base) && !sameValues(settledValues(w.base), settledValues(w.state))) unsettled.push(values);
      else rows.push(values);
      if (isRegistered(w.base)) this.rollups.complaint(-1, w.stored ?? storedRowOf(w.base));
      this.rollups.complaint(1, values);
      w.stored = values;
    }
    // the folded states (states never change once made: evolve makes new ones); their JSON is made when written
    const folded = changed
      .filter((w) => w.state !== w.base)
      .map((w): [string, ComplaintCase] => [w.state.id, w.state])
      .sort((a, b) => compare(a[0], b[0]));

    // hops, refunds, escalations and deadlines follow from the state: only the rows that differ are written
    const upserts = this.children.map((): Values[] => []);
    const removed = this.children.map((): Values[] => []);
    for (const w of changed) {
      const before = w.children ?? this.children.map((child) => (isRegistered(w.base) ? child.values(w.base) : []));
      const after = w.state === w.base ? before : this.children.map((child) => child.values(w.state));
      this.children.forEach((child, i) => child.diff(before[i], after[i], upserts[i], removed[i]));
      w.children = after;
      if (after !== before) {
        for (const hop of before[HOPS]) this.rollups.hop(-1, hop);
        for (const hop of after[HOPS]) this.rollups.hop(1, hop);
        for (const refund of before[REFUNDS]) this.rollups.refund(-1, refund);
        for (const refund of after[REFUNDS]) this.rollups.refund(1, refund);
      }
    }
    const rollups = this.rollups.take();

    // from here on the complaints are as their rows will be stored
    for (const w of changed) {
      w.base = w.state;
      w.dirty = false;
      w.versions = [];
      w.closesStoredVersionAt = undefined;
    }

    return {
      write: async (db) => {
        // every table gets its rows in key order: its b-tree is then written page after page, not all over
        await this.complaints.run(db, rows.sort(byFirst));
        await this.complaintsFullSet.run(db, unsettled.sort(byFirst));
        // the states' JSON (2 KB each) is made a statement's worth at a time, not for all of them at once
        for (let i = 0; i < folded.length; i += this.states.rowsPerStatement) {
          await this.states.run(db, folded.slice(i, i + this.states.rowsPerStatement).map(([id, state]) => [id, JSON.stringify(state)]));
        }
        await this.timelineClose.run(db, closed.sort(byPosition));
        await this.timelineOpen.run(db, versions.sort(byPosition));
        for (const [i, child] of this.children.entries()) {
          await child.remove(db, removed[i]);
          await child.upsert.run(db, upserts[i].sort(child.byKey));
        }
        await rollups.write(db);
      },
    };
  }
}

/** the statements that write rows worked out before (see ComplaintsProjection.prepare) */
interface PreparedWrite {
  write(db: Transaction<ReadModelTables>): Promise<void>;
}

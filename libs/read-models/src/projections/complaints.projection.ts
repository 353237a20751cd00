import { sql, Transaction } from 'kysely';
import {
  ComplaintCase,
  ComplaintEvent,
  ComplaintPolicy,
  DEFAULT_POLICY,
  pendingDeadlines,
  COMPLAINT_EVENT_TYPES,
  ComplaintState,
  evolveComplaint,
  HandoverAcknowledged,
  HandoverRecorded,
  initialComplaintState,
  isRegistered,
} from '@complaints/domain';
import { RecordedEvent } from '@complaints/event-store';
import { Projection, ReadModelDb, ReadModelTransaction } from '../projection';
import { ComplaintsTable, ComplaintTimelineTable, EscalationsTable, ReadModelTables, RefundsTable, WorkOrderHopsTable } from './read-model.tables';

const COMPLAINT_STREAM = 'complaint-';
const KNOWN = new Set<string>(COMPLAINT_EVENT_TYPES);
const HANDOVER_TYPES = new Set<string>(['HandoverRecorded', 'HandoverAcknowledged']);
/** rows per multi-row INSERT: well under SQLite's 32,766 bound parameters */
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
    state: JSON.stringify(c),
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
    reopens: c.cycle - 1,
    reclassifications: 0,
    work_orders: c.workOrders.length,
    forwards: c.workOrders.reduce((n, w) => n + w.hops.length - 1, 0),
    returns: c.workOrders.filter((w) => w.status === 'returned').length,
    archived_at: c.archivedAt ? utc(c.archivedAt) : null,
    updated_at: updatedAt,
  };
}

function timelineFields(c: ComplaintCase): Omit<ComplaintTimelineTable, 'complaint_id' | 'position' | 'valid_from' | 'valid_to'> {
  return {
    status: c.status,
    open: flag(c.status !== 'archived'),
    branch: c.branch,
    channel: c.channel,
    category: c.category,
    level: c.level,
    vip: flag(c.customer.vip),
    held_by: c.tier,
    due_at: utc(c.dueAt),
    appeal_risk_at: utc(c.appealRiskAt),
    registered_at: utc(c.registeredAt),
  };
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

interface Working {
  state: ComplaintState;
  lastPosition: number;
  first?: { category: string; subcategory?: string };
  reclassifications: number;
  registeredBy: string | null;
  holder: { agent: string | null; position: number };
  updatedAt: string;
  dirty: boolean;
  /** the batch changed what these child tables hold: rewrite them (otherwise they stand) */
  rewrite: { hops: boolean; refunds: boolean; escalations: boolean };
  /** timeline versions this batch opened, oldest first */
  versions: ComplaintTimelineTable[];
  /** the batch changed a queue-relevant field, so the stored open version ends */
  closesStoredVersionAt?: string;
}

/** which child tables an event changes; hops copy the complaint's branch, category, level and VIP flag */
function markChildren(w: Working, event: ComplaintEvent): void {
  switch (event.type) {
    case 'ComplaintClassified':
    case 'WorkOrderDispatched':
    case 'WorkOrderAccepted':
    case 'WorkOrderForwarded':
    case 'WorkOrderReplied':
    case 'WorkOrderReturned':
      w.rewrite.hops = true;
      return;
    case 'RefundRequested':
    case 'RefundVerified':
    case 'CashRefundApproved':
    case 'RefundExecuted':
      w.rewrite.refunds = true;
      return;
    case 'ComplaintEscalated':
      w.rewrite.escalations = true;
      return;
    default:
      return;
  }
}

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * Complaints as the queues, searches and statistics read them, folded with
 * the domain's own `evolve` (one truth for what an event means). Each row
 * keeps its folded state and the last position applied, so a replayed event
 * changes nothing. Besides the current row it writes the timeline of
 * queue-relevant states (for `asOf`), the work-order hops with their
 * one-hour clocks, refunds and escalations.
 */
export class ComplaintsProjection implements Projection {
  readonly name = 'complaints';
  readonly version = 2;

  constructor(private readonly policy: ComplaintPolicy = DEFAULT_POLICY) {}

  async migrate(db: ReadModelDb): Promise<void> {
    await db.schema
      .createTable('complaints')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
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
      .addColumn('reopens', 'integer', (c) => c.notNull())
      .addColumn('reclassifications', 'integer', (c) => c.notNull())
      .addColumn('work_orders', 'integer', (c) => c.notNull())
      .addColumn('forwards', 'integer', (c) => c.notNull())
      .addColumn('returns', 'integer', (c) => c.notNull())
      .addColumn('archived_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('complaints_by_msisdn').ifNotExists().on('complaints').columns(['msisdn', 'registered_at']).execute();
    await db.schema.createIndex('complaints_by_registration').ifNotExists().on('complaints').columns(['registered_at', 'branch']).execute();
    await db.schema.createIndex('complaints_open_by_branch').ifNotExists().on('complaints').columns(['open', 'branch', 'due_at']).execute();
    await db.schema.createIndex('complaints_by_status').ifNotExists().on('complaints').columns(['status', 'registered_at']).execute();
    await db.schema.createIndex('complaints_by_holder').ifNotExists().on('complaints').columns(['holder', 'open']).execute();
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
    await db.schema.createIndex('deadlines_by_complaint').ifNotExists().on('deadlines').column('complaint_id').execute();
    await db.schema
      .createTable('handovers')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('to_agent', 'text', (c) => c.notNull())
      .addColumn('complaint_ids', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('complaint_timeline')
      .ifNotExists()
      .addColumn('complaint_id', 'text', (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
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
      .addPrimaryKeyConstraint('complaint_timeline_pk', ['complaint_id', 'position'])
      .execute();
    await db.schema.createIndex('complaint_timeline_by_time').ifNotExists().on('complaint_timeline').columns(['valid_from', 'branch']).execute();

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
    await db.schema.createIndex('work_order_hops_by_start').ifNotExists().on('work_order_hops').columns(['started_at', 'department']).execute();
    await db.schema.createIndex('work_order_hops_by_complaint').ifNotExists().on('work_order_hops').column('complaint_id').execute();
    await db.schema.createIndex('work_order_hops_open').ifNotExists().on('work_order_hops').columns(['department', 'ended_at', 'reply_due_at']).execute();

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
    await db.schema.createIndex('refunds_by_request').ifNotExists().on('refunds').columns(['requested_at', 'branch']).execute();
    await db.schema.createIndex('refunds_by_complaint').ifNotExists().on('refunds').column('complaint_id').execute();

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
    await db.schema.createIndex('escalations_by_time').ifNotExists().on('escalations').columns(['escalated_at', 'branch']).execute();
  }

  async reset(trx: ReadModelTransaction): Promise<void> {
    for (const table of ['complaints', 'complaint_timeline', 'work_order_hops', 'refunds', 'escalations', 'handovers', 'deadlines']) {
      await trx.deleteFrom(table).execute();
    }
  }

  async apply(trx: ReadModelTransaction, events: readonly RecordedEvent[]): Promise<void> {
    const mine = events.filter((e) => (e.streamId.startsWith(COMPLAINT_STREAM) && KNOWN.has(e.type)) || HANDOVER_TYPES.has(e.type));
    if (mine.length === 0) return;
    const db = trx as unknown as Transaction<ReadModelTables>;
    const handovers = await this.handovers(db, mine);
    const ids = new Set<string>();
    for (const e of mine) {
      if (e.type === 'HandoverAcknowledged') for (const id of handovers.get((e.data as HandoverAcknowledged['data']).handoverId)?.complaintIds ?? []) ids.add(id);
      else if (e.streamId.startsWith(COMPLAINT_STREAM)) ids.add(e.streamId.slice(COMPLAINT_STREAM.length));
    }
    const working = await this.load(db, [...ids]);

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
      const after = evolveComplaint(before, event);
      const at = eventTime(recorded);
      if (event.type === 'ComplaintRegistered') {
        w.first = { category: event.data.category, subcategory: event.data.subcategory };
        w.registeredBy = recorded.metadata.actor ?? null;
        if (w.holder.position === 0) w.holder = { agent: w.registeredBy, position: 0 };
      }
      if (event.type === 'ComplaintClassified') w.reclassifications++;
      markChildren(w, event);
      if (isRegistered(after)) {
        const fields = timelineFields(after);
        const previous = isRegistered(before) ? timelineFields(before) : undefined;
        if (!previous || JSON.stringify(previous) !== JSON.stringify(fields)) {
          const last = w.versions[w.versions.length - 1];
          if (last) last.valid_to = at;
          else if (previous) w.closesStoredVersionAt = at;
          w.versions.push({ complaint_id: id, position: recorded.position, valid_from: at, valid_to: null, ...fields });
        }
      }
      w.state = after;
      w.lastPosition = recorded.position;
      w.updatedAt = at;
      w.dirty = true;
    }
    await this.write(db, working);
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
    for (const part of chunks(missing)) {
      for (const row of await db.selectFrom('handovers').selectAll().where('id', 'in', part).execute()) {
        found.set(row.id, { toAgent: row.to_agent, complaintIds: JSON.parse(row.complaint_ids) as string[] });
      }
    }
    return found;
  }

  private async load(db: Transaction<ReadModelTables>, ids: string[]): Promise<Map<string, Working>> {
    const working = new Map<string, Working>();
    for (const part of chunks(ids)) {
      const rows = await db
        .selectFrom('complaints')
        .select(['id', 'state', 'last_position', 'first_category', 'first_subcategory', 'reclassifications', 'registered_by', 'holder', 'holder_position', 'updated_at'])
        .where('id', 'in', part)
        .execute();
      for (const row of rows) {
        working.set(row.id, {
          state: JSON.parse(row.state) as ComplaintCase,
          lastPosition: Number(row.last_position),
          first: { category: row.first_category, subcategory: row.first_subcategory ?? undefined },
          reclassifications: row.reclassifications,
          registeredBy: row.registered_by,
          holder: { agent: row.holder, position: Number(row.holder_position) },
          updatedAt: row.updated_at,
          dirty: false,
          rewrite: { hops: false, refunds: false, escalations: false },
          versions: [],
        });
      }
    }
    for (const id of ids) {
      if (!working.has(id)) {
        working.set(id, { state: initialComplaintState(), lastPosition: 0, reclassifications: 0, registeredBy: null, holder: { agent: null, position: 0 }, updatedAt: '', dirty: false, rewrite: { hops: false, refunds: false, escalations: false }, versions: [] });
      }
    }
    return working;
  }

  private async write(db: Transaction<ReadModelTables>, working: Map<string, Working>): Promise<void> {
    const changed = [...working.values()].filter((w): w is Working & { state: ComplaintCase } => w.dirty && isRegistered(w.state));
    if (changed.length === 0) return;

    const rows = changed.map((w) => ({
      ...complaintRow(w.state, w.first ?? { category: w.state.category, subcategory: w.state.subcategory }, w.lastPosition, w.registeredBy, w.holder, w.updatedAt),
      reclassifications: w.reclassifications,
    }));
    const columns = Object.keys(rows[0]).filter((c) => c !== 'id') as (keyof ComplaintsTable)[];
    for (const part of chunks(rows)) {
      await db
        .insertInto('complaints')
        .values(part)
        .onConflict((oc) => oc.column('id').doUpdateSet(Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)]))))
        .execute();
    }

    // the timeline: the stored open version ends where this batch's first change begins
    for (const w of changed) {
      if (w.closesStoredVersionAt) {
        await db.updateTable('complaint_timeline').set({ valid_to: w.closesStoredVersionAt }).where('complaint_id', '=', w.state.id).where('valid_to', 'is', null).execute();
      }
    }
    const versions = changed.flatMap((w) => w.versions);
    for (const part of chunks(versions)) {
      await db.insertInto('complaint_timeline').values(part).onConflict((oc) => oc.columns(['complaint_id', 'position']).doNothing()).execute();
    }

    // hops, refunds and escalations are small per complaint: the ones the batch touched are rewritten whole
    const touched = (kind: keyof Working['rewrite']) => changed.filter((w) => w.rewrite[kind]);
    const hops = touched('hops');
    const refunds = touched('refunds');
    const escalations = touched('escalations');
    for (const part of chunks(hops.map((w) => w.state.id))) await db.deleteFrom('work_order_hops').where('complaint_id', 'in', part).execute();
    for (const part of chunks(refunds.map((w) => w.state.id))) await db.deleteFrom('refunds').where('complaint_id', 'in', part).execute();
    for (const part of chunks(escalations.map((w) => w.state.id))) await db.deleteFrom('escalations').where('complaint_id', 'in', part).execute();
    for (const part of chunks(hops.flatMap((w) => hopRows(w.state)))) await db.insertInto('work_order_hops').values(part).execute();
    for (const part of chunks(refunds.flatMap((w) => refundRows(w.state)))) await db.insertInto('refunds').values(part).execute();
    for (const part of chunks(escalations.flatMap((w) => escalationRows(w.state)))) await db.insertInto('escalations').values(part).execute();

    // the pending deadlines follow from the state alone: replace the complaint's set
    for (const part of chunks(changed.map((w) => w.state.id))) await db.deleteFrom('deadlines').where('complaint_id', 'in', part).execute();
    const deadlines = changed.flatMap((w) =>
      pendingDeadlines(w.state, this.policy).map((d) => ({ id: d.id, complaint_id: d.complaintId, clock: d.clock, subject: d.subject, mark: d.mark, due_at: utc(d.dueAt), fire_at: utc(d.fireAt) })),
    );
    for (const part of chunks(deadlines)) await db.insertInto('deadlines').values(part).execute();
  }
}

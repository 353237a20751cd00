import { Kysely, sql } from 'kysely';
import { ReadModelTables } from '../projections/read-model.tables';

/** Before the 15-day appeal-risk instant, this many days of warning show in the queues. */
export const APPEAL_WARNING_DAYS = 3;
const DAY_MS = 86_400_000;

/** The early warning a clock shows at an instant: amber from 50% of its span, red-amber from 80%. */
export type ClockWarning = 'warn50' | 'warn80' | null;

export function warningAt(at: Date, startedAt: string, dueAt: string): ClockWarning {
  const start = Date.parse(startedAt);
  const share = (at.getTime() - start) / (Date.parse(dueAt) - start);
  return share >= 0.8 ? 'warn80' : share >= 0.5 ? 'warn50' : null;
}

export interface DeskQueueItem {
  complaintId: string;
  status: string;
  branch: string;
  channel: string;
  category: string;
  level: number;
  vip: boolean;
  heldBy: string;
  registeredAt: string;
  dueAt: string;
  appealRiskAt: string;
  overdue: boolean;
  appealRisk: boolean;
  /** the level clock's early warning at the queue's instant */
  warning: ClockWarning;
  secondsLeft: number;
}

/** overdue, then appeal risk, then VIP, then level (3 first), then the earliest due */
export function byUrgency(a: DeskQueueItem, b: DeskQueueItem): number {
  return (
    Number(b.overdue) - Number(a.overdue) ||
    Number(b.appealRisk) - Number(a.appealRisk) ||
    Number(b.vip) - Number(a.vip) ||
    b.level - a.level ||
    a.dueAt.localeCompare(b.dueAt) ||
    a.complaintId.localeCompare(b.complaintId)
  );
}

function urgency(at: Date, registeredAt: string, dueAt: string, appealRiskAt: string) {
  const t = at.getTime();
  return {
    overdue: Date.parse(dueAt) < t,
    warning: warningAt(at, registeredAt, dueAt),
    appealRisk: Date.parse(appealRiskAt) - APPEAL_WARNING_DAYS * DAY_MS <= t,
    secondsLeft: Math.round((Date.parse(dueAt) - t) / 1000),
  };
}

type QueueRow = {
  id: string;
  status: string;
  branch: string;
  channel: string;
  category: string;
  level: number;
  vip: number;
  held_by: string;
  registered_at: string;
  due_at: string;
  appeal_risk_at: string;
};

function toItem(row: QueueRow, at: Date): DeskQueueItem {
  return {
    complaintId: row.id,
    status: row.status,
    branch: row.branch,
    channel: row.channel,
    category: row.category,
    level: row.level,
    vip: row.vip === 1,
    heldBy: row.held_by,
    registeredAt: row.registered_at,
    dueAt: row.due_at,
    appealRiskAt: row.appeal_risk_at,
    ...urgency(at, row.registered_at, row.due_at, row.appeal_risk_at),
  };
}

/**
 * Open complaints of a desk, most urgent first. With `asOf`, the complaints
 * that were open at that instant, as they stood then (from the timeline the
 * projection keeps), judged against that instant's clock.
 */
export async function deskQueue(db: Kysely<ReadModelTables>, query: { branch?: string; now: Date; asOf?: Date; limit: number }): Promise<DeskQueueItem[]> {
  const at = query.asOf ?? query.now;
  let rows: QueueRow[];
  if (query.asOf) {
    const instant = query.asOf.toISOString();
    let q = db
      .selectFrom('complaint_timeline')
      .select(['complaint_id as id', 'status', 'branch', 'channel', 'category', 'level', 'vip', 'held_by', 'registered_at', 'due_at', 'appeal_risk_at'])
      .where('valid_from', '<=', instant)
      .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', instant)]))
      .where('open', '=', 1);
    if (query.branch) q = q.where('branch', '=', query.branch);
    rows = await q.execute();
  } else {
    let q = db
      .selectFrom('complaints')
      .select(['id', 'status', 'branch', 'channel', 'category', 'level', 'vip', 'held_by', 'registered_at', 'due_at', 'appeal_risk_at'])
      .where('open', '=', 1);
    if (query.branch) q = q.where('branch', '=', query.branch);
    rows = await q.execute();
  }
  return rows.map((r) => toItem(r, at)).sort(byUrgency).slice(0, query.limit);
}

export interface DepartmentQueueItem {
  workOrderId: string;
  complaintId: string;
  hop: number;
  department: string;
  branch: string;
  category: string;
  level: number;
  vip: boolean;
  receivedAt: string;
  replyDueAt: string;
  secondsLeft: number;
  overdue: boolean;
  /** the hop's early warning at the queue's instant */
  warning: ClockWarning;
}

/** Open work-order hops of a department (or all), the one due soonest first; with `asOf`, those held at that instant. */
export async function departmentQueue(
  db: Kysely<ReadModelTables>,
  query: { department?: string; branch?: string; now: Date; asOf?: Date; limit: number },
): Promise<DepartmentQueueItem[]> {
  const at = query.asOf ?? query.now;
  const instant = at.toISOString();
  let q = db
    .selectFrom('work_order_hops')
    .select(['work_order_id', 'complaint_id', 'hop', 'department', 'branch', 'category', 'level', 'vip', 'started_at', 'reply_due_at'])
    .where('started_at', '<=', instant)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', instant)]));
  if (query.department) q = q.where('department', '=', query.department);
  if (query.branch) q = q.where('branch', '=', query.branch);
  const rows = await q.orderBy('reply_due_at').orderBy('work_order_id').limit(query.limit).execute();
  return rows.map((r) => {
    const secondsLeft = Math.round((Date.parse(r.reply_due_at) - at.getTime()) / 1000);
    return {
      workOrderId: r.work_order_id,
      complaintId: r.complaint_id,
      hop: r.hop,
      department: r.department,
      branch: r.branch,
      category: r.category,
      level: r.level,
      vip: r.vip === 1,
      receivedAt: r.started_at,
      replyDueAt: r.reply_due_at,
      secondsLeft,
      overdue: secondsLeft < 0,
      warning: warningAt(at, r.started_at, r.reply_due_at),
    };
  });
}

export interface OverdueQueue {
  asOf: string;
  complaints: DeskQueueItem[];
  workOrders: DepartmentQueueItem[];
  refundVerifications: { refundId: string; complaintId: string; branch: string; requestedAt: string; verifyDueAt: string; secondsOverdue: number }[];
  appealRisk: DeskQueueItem[];
}

/** Everything past its deadline, by kind; complaints nearing the appeal-risk instant apart. */
export async function overdueQueue(db: Kysely<ReadModelTables>, query: { branch?: string; now: Date; asOf?: Date; limit: number }): Promise<OverdueQueue> {
  const at = query.asOf ?? query.now;
  const instant = at.toISOString();
  const open = await deskQueue(db, { branch: query.branch, now: query.now, asOf: query.asOf, limit: Number.MAX_SAFE_INTEGER });
  const hops = await departmentQueue(db, { branch: query.branch, now: query.now, asOf: query.asOf, limit: Number.MAX_SAFE_INTEGER });
  let refunds = db
    .selectFrom('refunds')
    .select(['id', 'complaint_id', 'branch', 'requested_at', 'verify_due_at'])
    .where('requested_at', '<=', instant)
    .where('verify_due_at', '<', instant)
    .where((eb) => eb.or([eb('verified_at', 'is', null), eb('verified_at', '>', instant)]));
  if (query.branch) refunds = refunds.where('branch', '=', query.branch);
  const late = await refunds.orderBy('verify_due_at').limit(query.limit).execute();
  return {
    asOf: instant,
    complaints: open.filter((c) => c.overdue).slice(0, query.limit),
    workOrders: hops.filter((h) => h.overdue).slice(0, query.limit),
    refundVerifications: late.map((r) => ({
      refundId: r.id,
      complaintId: r.complaint_id,
      branch: r.branch,
      requestedAt: r.requested_at,
      verifyDueAt: r.verify_due_at,
      secondsOverdue: Math.round((at.getTime() - Date.parse(r.verify_due_at)) / 1000),
    })),
    appealRisk: open.filter((c) => c.appealRisk).slice(0, query.limit),
  };
}

/** How many complaints the number made in the window before `now`, closed ones included, not counting `exclude`. */
export async function complaintsByMsisdnSince(db: Kysely<ReadModelTables>, msisdn: string, since: Date, exclude: string): Promise<number> {
  const row = await db
    .selectFrom('complaints')
    .select(sql<number>`count(*)`.as('n'))
    .where('msisdn', '=', msisdn)
    .where('registered_at', '>=', since.toISOString())
    .where('id', '!=', exclude)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

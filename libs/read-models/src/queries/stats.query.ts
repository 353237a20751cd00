import { Kysely, sql } from 'kysely';
import { ReadModelTables } from '../projections/read-model.tables';

export interface StatsQuery {
  /** complaints registered at or after */
  from: Date;
  /** … and before */
  to: Date;
  branch?: string;
  /** only what had happened by this instant counts (default: now) */
  asOf: Date;
}

export interface DepartmentStats {
  department: string;
  /** hops received in the period (each dispatch or forward is a hop charged to the receiving department) */
  received: number;
  replied: number;
  forwarded: number;
  /** hops whose hour has run out or that ended, by `asOf` */
  judged: number;
  onTime: number;
  /** onTime / judged: the 1-hour reply compliance */
  compliance: number | null;
  meanReplySeconds: number | null;
  p90ReplySeconds: number | null;
}

export interface StatsSummary {
  from: string;
  to: string;
  branch: string | null;
  asOf: string;
  registered: number;
  byCategory: Record<string, number>;
  byChannel: Record<string, number>;
  byBranch: Record<string, number>;
  byDepartment: DepartmentStats[];
  onSiteResolution: { count: number; rate: number | null };
  replyCompliance: { judged: number; onTime: number; rate: number | null };
  replyTime: { meanSeconds: number | null; p90Seconds: number | null };
  escalation: { count: number; rate: number | null };
  reopen: { count: number; rate: number | null };
  repeatComplaint: { count: number; rate: number | null };
  satisfaction: { asked: number; satisfied: number; rate: number | null };
  archived: number;
  refunds: {
    requested: number;
    verified: number;
    verifiedOnTime: number;
    rejected: number;
    executed: number;
    executedAmount: number;
    cash: number;
  };
}

const rate = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);
const n = (value: unknown) => Number(value ?? 0);
/** sum(case when <condition> then 1 else 0 end), the portable conditional count */
const countIf = (condition: ReturnType<typeof sql>) => sql<number>`sum(case when ${condition} then 1 else 0 end)`;

/** The rank (0-based, ascending) of the p-th percentile by nearest rank among `count` values. */
const nearestRank = (p: number, count: number) => Math.max(0, Math.ceil(p * count) - 1);

/** The figures API.md lists for a period, from the read models, as known at `asOf`. */
export async function statsSummary(db: Kysely<ReadModelTables>, query: StatsQuery): Promise<StatsSummary> {
  const from = query.from.toISOString();
  const to = query.to.toISOString();
  const asOf = query.asOf.toISOString();
  const registeredTo = to < asOf ? to : asOf;

  let complaints = db
    .selectFrom('complaints as c')
    .select([
      'c.category',
      'c.channel',
      'c.branch',
      sql<number>`count(*)`.as('registered'),
      countIf(sql`c.resolved_on_site = 1 and c.resolved_at <= ${asOf}`).as('on_site'),
      countIf(sql`c.repeat_complaint = 1`).as('repeats'),
      countIf(sql`c.satisfaction_at <= ${asOf}`).as('asked'),
      countIf(sql`c.satisfaction_at <= ${asOf} and c.satisfied = 1`).as('satisfied'),
      countIf(sql`c.archived_at <= ${asOf}`).as('archived'),
      // escalated by asOf: its first escalation (of that trigger) was by then
      countIf(sql`c.first_escalated_at <= ${asOf}`).as('escalated'),
      countIf(sql`c.unsatisfied_escalated_at <= ${asOf}`).as('reopened'),
    ])
    .where('c.registered_at', '>=', from)
    .where('c.registered_at', '<', registeredTo)
    .groupBy(['c.category', 'c.channel', 'c.branch']);
  if (query.branch) complaints = complaints.where('c.branch', '=', query.branch);

  const hopsInPeriod = () => {
    let q = db.selectFrom('work_order_hops').where('started_at', '>=', from).where('started_at', '<', registeredTo);
    if (query.branch) q = q.where('branch', '=', query.branch);
    return q;
  };
  const departments = hopsInPeriod()
    .select([
      'department',
      sql<number>`count(*)`.as('received'),
      countIf(sql`outcome = 'replied' and ended_at <= ${asOf}`).as('replied'),
      countIf(sql`outcome = 'forwarded' and ended_at <= ${asOf}`).as('forwarded'),
      countIf(sql`ended_at <= ${asOf} or reply_due_at <= ${asOf}`).as('judged'),
      countIf(sql`ended_at <= ${asOf} and on_time = 1`).as('on_time'),
      sql<number>`avg(case when outcome = 'replied' and ended_at <= ${asOf} then handling_seconds end)`.as('mean_reply'),
    ])
    .groupBy('department')
    .orderBy('department');
  /**
   * The reply times of the period's replied hops as (department, seconds,
   * how many), in ascending order: one scan gives the p90 of every department
   * and of all of them (nearest rank), where a query each would scan again.
   */
  const replyTimes = hopsInPeriod()
    .select(['department', 'handling_seconds as v', sql<number>`count(*)`.as('n')])
    .where('outcome', '=', 'replied')
    .where('ended_at', '<=', asOf)
    .groupBy(['department', 'handling_seconds'])
    .orderBy('handling_seconds');
  const p90ReplySeconds = (times: readonly { department: string; v: number | null; n: unknown }[], count: number, department?: string): number | null => {
    if (count === 0) return null;
    const rank = nearestRank(0.9, count);
    let seen = 0;
    for (const t of times) {
      if (department !== undefined && t.department !== department) continue;
      seen += n(t.n);
      if (seen > rank) return t.v === null ? null : Number(t.v);
    }
    return null;
  };

  let refunds = db
    .selectFrom('refunds')
    .select([
      sql<number>`count(*)`.as('requested'),
      countIf(sql`verified_at <= ${asOf} and status <> 'rejected'`).as('verified'),
      countIf(sql`verified_at <= ${asOf} and verified_on_time = 1`).as('verified_on_time'),
      countIf(sql`verified_at <= ${asOf} and status = 'rejected'`).as('rejected'),
      countIf(sql`executed_at <= ${asOf}`).as('executed'),
      sql<number>`sum(case when executed_at <= ${asOf} then amount_fen else 0 end)`.as('executed_fen'),
      countIf(sql`executed_at <= ${asOf} and method = 'cash'`).as('cash'),
    ])
    .where('requested_at', '>=', from)
    .where('requested_at', '<', registeredTo);
  if (query.branch) refunds = refunds.where('branch', '=', query.branch);

  const [groups, departmentRows, refundRow, times] = await Promise.all([complaints.execute(), departments.execute(), refunds.executeTakeFirst(), replyTimes.execute()]);

  const byCategory: Record<string, number> = {};
  const byChannel: Record<string, number> = {};
  const byBranch: Record<string, number> = {};
  const totals = { registered: 0, onSite: 0, repeats: 0, asked: 0, satisfied: 0, archived: 0, escalated: 0, reopened: 0 };
  for (const g of groups) {
    const count = n(g.registered);
    byCategory[g.category] = (byCategory[g.category] ?? 0) + count;
    byChannel[g.channel] = (byChannel[g.channel] ?? 0) + count;
    byBranch[g.branch] = (byBranch[g.branch] ?? 0) + count;
    totals.registered += count;
    totals.onSite += n(g.on_site);
    totals.repeats += n(g.repeats);
    totals.asked += n(g.asked);
    totals.satisfied += n(g.satisfied);
    totals.archived += n(g.archived);
    totals.escalated += n(g.escalated);
    totals.reopened += n(g.reopened);
  }

  const byDepartment: DepartmentStats[] = [];
  for (const d of departmentRows) {
    const judged = n(d.judged);
    const onTime = n(d.on_time);
    byDepartment.push({
      department: d.department,
      received: n(d.received),
      replied: n(d.replied),
      forwarded: n(d.forwarded),
      judged,
      onTime,
      compliance: rate(onTime, judged),
      meanReplySeconds: d.mean_reply === null ? null : Math.round(Number(d.mean_reply)),
      p90ReplySeconds: p90ReplySeconds(times, n(d.replied), d.department),
    });
  }
  const judged = byDepartment.reduce((s, d) => s + d.judged, 0);
  const onTime = byDepartment.reduce((s, d) => s + d.onTime, 0);
  const replied = byDepartment.reduce((s, d) => s + d.replied, 0);
  const meanSeconds = replied === 0 ? null : Math.round(byDepartment.reduce((s, d) => s + (d.meanReplySeconds ?? 0) * d.replied, 0) / replied);

  return {
    from,
    to,
    branch: query.branch ?? null,
    asOf,
    registered: totals.registered,
    byCategory,
    byChannel,
    byBranch,
    byDepartment,
    onSiteResolution: { count: totals.onSite, rate: rate(totals.onSite, totals.registered) },
    replyCompliance: { judged, onTime, rate: rate(onTime, judged) },
    replyTime: { meanSeconds, p90Seconds: p90ReplySeconds(times, replied) },
    escalation: { count: totals.escalated, rate: rate(totals.escalated, totals.registered) },
    reopen: { count: totals.reopened, rate: rate(totals.reopened, totals.registered) },
    repeatComplaint: { count: totals.repeats, rate: rate(totals.repeats, totals.registered) },
    satisfaction: { asked: totals.asked, satisfied: totals.satisfied, rate: rate(totals.satisfied, totals.asked) },
    archived: totals.archived,
    refunds: {
      requested: n(refundRow?.requested),
      verified: n(refundRow?.verified),
      verifiedOnTime: n(refundRow?.verified_on_time),
      rejected: n(refundRow?.rejected),
      executed: n(refundRow?.executed),
      executedAmount: n(refundRow?.executed_fen) / 100,
      cash: n(refundRow?.cash),
    },
  };
}

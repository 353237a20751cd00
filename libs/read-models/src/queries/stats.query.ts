/* eslint-disable @typescript-eslint/no-explicit-any -- expression builders shared by tables of different shapes */
import { ExpressionBuilder, Kysely, sql } from 'kysely';
import { ReadModelTables } from '../projections/read-model.tables';
import { cstDay, cstDayStart, FactFamily, nextCstDay, replyBucket } from '../projections/stats-rollups';

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

type Range = readonly [start: string, end: string];
/** inclusive runs of CST days */
type DayRun = readonly [first: string, last: string];

/** where each family's figures come from: whole days from the rollups, the rest from the detailed tables */
interface Sources {
  days: DayRun[];
  ranges: Range[];
}

export interface StatsOptions {
  /** false: everything from the detailed tables, as before the rollups (for comparison); default true */
  rollups?: boolean;
}

const FAMILIES: readonly FactFamily[] = ['complaint', 'hop', 'refund'];

/**
 * Splits [from, to) into whole CST days and the partial days at its edges.
 * A whole day comes from the rollups of a family when it is settled for
 * `asOf`: every fact of that day's entities happened by then (the
 * family's horizon is not later than `asOf`, or none of its facts happened
 * on `asOf`'s day or later). Any other day, and the edges, are read in
 * detail.
 */
async function sourcesOf(db: Kysely<ReadModelTables>, from: string, to: string, asOf: string, options: StatsOptions): Promise<Record<FactFamily, Sources>> {
  const whole: string[] = [];
  const edges: Range[] = [];
  if (from < to && options.rollups !== false) {
    let day = cstDay(from);
    if (cstDayStart(day) < from) day = nextCstDay(day);
    while (cstDayStart(nextCstDay(day)) <= to) {
      whole.push(day);
      day = nextCstDay(day);
    }
    if (whole.length > 0) {
      const start = cstDayStart(whole[0]);
      const end = cstDayStart(nextCstDay(whole[whole.length - 1]));
      if (from < start) edges.push([from, start]);
      if (end < to) edges.push([end, to]);
    }
  }
  if (whole.length === 0) {
    const ranges: Range[] = from < to ? [[from, to]] : [];
    return { complaint: { days: [], ranges }, hop: { days: [], ranges }, refund: { days: [], ranges } };
  }

  const horizons = await db.selectFrom('stats_horizons').select(['family', 'at']).execute();
  const open = FAMILIES.filter((family) => horizons.some((h) => h.family === family && h.at > asOf));
  const unsettled = new Map<FactFamily, Set<string>>(FAMILIES.map((family) => [family, new Set<string>()]));
  if (open.length > 0) {
    const rows = await db
      .selectFrom('stats_settlement')
      .select(['family', 'day'])
      .where('family', 'in', open)
      .where('day', '>=', whole[0])
      .where('day', '<=', whole[whole.length - 1])
      .where('at_day', '>=', cstDay(asOf))
      .where('n', '>', 0)
      .groupBy(['family', 'day'])
      .execute();
    for (const row of rows) unsettled.get(row.family as FactFamily)?.add(row.day);
  }

  const sources = {} as Record<FactFamily, Sources>;
  for (const family of FAMILIES) {
    const late = unsettled.get(family)!;
    const days: DayRun[] = [];
    const ranges: Range[] = [...edges];
    for (const day of whole) {
      if (late.has(day)) {
        ranges.push([cstDayStart(day), cstDayStart(nextCstDay(day))]);
        continue;
      }
      const run = days[days.length - 1];
      if (run && nextCstDay(run[1]) === day) days[days.length - 1] = [run[0], day];
      else days.push([day, day]);
    }
    sources[family] = { days, ranges: merged(ranges) };
  }
  return sources;
}

/** ranges in order, those that touch made one */
function merged(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [string, string][] = [];
  for (const [start, end] of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] >= start) last[1] = last[1] > end ? last[1] : end;
    else out.push([start, end]);
  }
  return out;
}

type Where = ExpressionBuilder<any, any>;

/** `column` in one of the ranges [start, end) */
const inRanges = (column: string, ranges: readonly Range[]) => (eb: Where) =>
  eb.or(ranges.map(([start, end]) => eb.and([eb(column, '>=', start), eb(column, '<', end)])));

/** `day` in one of the runs */
const inDays = (days: readonly DayRun[]) => (eb: Where) => eb.or(days.map(([first, last]) => eb.and([eb('day', '>=', first), eb('day', '<=', last)])));

interface ComplaintGroup {
  category: string;
  channel: string;
  branch: string;
  registered: number;
  on_site: number;
  repeats: number;
  asked: number;
  satisfied: number;
  archived: number;
  escalated: number;
  reopened: number;
}

interface DepartmentCounts {
  department: string;
  received: number;
  replied: number;
  forwarded: number;
  judged: number;
  on_time: number;
  /** the sum of the replied hops' handling seconds */
  reply_seconds: number;
}

interface RefundCounts {
  requested: number;
  verified: number;
  verified_on_time: number;
  rejected: number;
  executed: number;
  executed_fen: number;
  cash: number;
}

/** what the detailed tables give for some ranges of registration (start, request) instants, as known at `asOf` */
async function detailed(db: Kysely<ReadModelTables>, sources: Record<FactFamily, Sources>, asOf: string, branch: string | undefined) {
  const { complaint, hop, refund } = sources;
  const none = Promise.resolve([]);

  const complaints =
    complaint.ranges.length === 0
      ? none
      : db
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
          .where(inRanges('c.registered_at', complaint.ranges))
          .$if(branch !== undefined, (q) => q.where('c.branch', '=', branch!))
          .groupBy(['c.category', 'c.channel', 'c.branch'])
          .execute();

  const hops = () =>
    db
      .selectFrom('work_order_hops')
      .where(inRanges('started_at', hop.ranges))
      .$if(branch !== undefined, (q) => q.where('branch', '=', branch!));
  const departments =
    hop.ranges.length === 0
      ? none
      : hops()
          .select([
            'department',
            sql<number>`count(*)`.as('received'),
            countIf(sql`outcome = 'replied' and ended_at <= ${asOf}`).as('replied'),
            countIf(sql`outcome = 'forwarded' and ended_at <= ${asOf}`).as('forwarded'),
            countIf(sql`ended_at <= ${asOf} or reply_due_at <= ${asOf}`).as('judged'),
            countIf(sql`ended_at <= ${asOf} and on_time = 1`).as('on_time'),
            sql<number>`sum(case when outcome = 'replied' and ended_at <= ${asOf} then handling_seconds else 0 end)`.as('reply_seconds'),
          ])
          .groupBy('department')
          .execute();
  // the reply times of the replied hops as (department, seconds, how many), in ascending order
  const replyTimes =
    hop.ranges.length === 0
      ? none
      : hops()
          .select(['department', 'handling_seconds as v', sql<number>`count(*)`.as('n')])
          .where('outcome', '=', 'replied')
          .where('ended_at', '<=', asOf)
          .groupBy(['department', 'handling_seconds'])
          .orderBy('handling_seconds')
          .execute();

  const refunds =
    refund.ranges.length === 0
      ? none
      : db
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
          .where(inRanges('requested_at', refund.ranges))
          .$if(branch !== undefined, (q) => q.where('branch', '=', branch!))
          .execute();

  const [groups, departmentRows, times, refundRows] = await Promise.all([complaints, departments, replyTimes, refunds]);
  return {
    groups: groups as ComplaintGroup[],
    departments: departmentRows as DepartmentCounts[],
    times: (times as { department: string; v: number | null; n: unknown }[]).map((t) => ({ department: t.department, v: t.v === null ? null : Number(t.v), n: n(t.n) })),
    refunds: refundRows as RefundCounts[],
  };
}

/** what the rollups give for some runs of whole days (every fact of their entities counted) */
async function rolledUp(db: Kysely<ReadModelTables>, sources: Record<FactFamily, Sources>, branch: string | undefined) {
  const { complaint, hop, refund } = sources;
  const none = Promise.resolve([]);
  const complaints =
    complaint.days.length === 0
      ? none
      : db
          .selectFrom('stats_complaints_daily')
          .select([
            'category',
            'branch',
            sql<number>`sum(registered)`.as('registered'),
            sql<number>`sum(on_site)`.as('on_site'),
            sql<number>`sum(repeats)`.as('repeats'),
            sql<number>`sum(asked)`.as('asked'),
            sql<number>`sum(satisfied)`.as('satisfied'),
            sql<number>`sum(archived)`.as('archived'),
            sql<number>`sum(escalated)`.as('escalated'),
            sql<number>`sum(reopened)`.as('reopened'),
          ])
          .where(inDays(complaint.days))
          .$if(branch !== undefined, (q) => q.where('branch', '=', branch!))
          .groupBy(['category', 'branch'])
          .execute();
  const channels =
    complaint.days.length === 0
      ? none
      : db
          .selectFrom('stats_channels_daily')
          .select(['channel', sql<number>`sum(registered)`.as('registered')])
          .where(inDays(complaint.days))
          .$if(branch !== undefined, (q) => q.where('branch', '=', branch!))
          .groupBy('channel')
          .execute();
  const departments =
    hop.days.length === 0
      ? none
      : db
          .selectFrom('stats_hops_daily')
          .select([
            'department',
            sql<number>`sum(received)`.as('received'),
            sql<number>`sum(replied)`.as('replied'),
            sql<number>`sum(forwarded)`.as('forwarded'),
            sql<number>`sum(judged)`.as('judged'),
            sql<number>`sum(on_time)`.as('on_time'),
            sql<number>`sum(reply_seconds)`.as('reply_seconds'),
          ])
          .where(inDays(hop.days))
          .$if(branch !== undefined, (q) => q.where('branch', '=', branch!))
          .groupBy('department')
          .execute();
  const histogram =
    hop.days.length === 0
      ? none
      : branch === undefined
        ? db
            .selectFrom('stats_reply_histogram')
            .select(['department', 'bucket', sql<number>`sum(n)`.as('n')])
            .where(inDays(hop.days))
            .groupBy(['department', 'bucket'])
            .execute()
        : db
            .selectFrom('stats_reply_histogram_by_branch')
            .select(['department', 'bucket', sql<number>`sum(n)`.as('n')])
            .where(inDays(hop.days))
            .where('branch', '=', branch)
            .groupBy(['department', 'bucket'])
            .execute();
  const refunds =
    refund.days.length === 0
      ? none
      : db
          .selectFrom('stats_refunds_daily')
          .select([
            sql<number>`sum(requested)`.as('requested'),
            sql<number>`sum(verified)`.as('verified'),
            sql<number>`sum(verified_on_time)`.as('verified_on_time'),
            sql<number>`sum(rejected)`.as('rejected'),
            sql<number>`sum(executed)`.as('executed'),
            sql<number>`sum(executed_fen)`.as('executed_fen'),
            sql<number>`sum(cash)`.as('cash'),
          ])
          .where(inDays(refund.days))
          .$if(branch !== undefined, (q) => q.where('branch', '=', branch!))
          .execute();
  const [groups, channelRows, departmentRows, buckets, refundRows] = await Promise.all([complaints, channels, departments, histogram, refunds]);
  return {
    groups: groups as Omit<ComplaintGroup, 'channel'>[],
    channels: channelRows as { channel: string; registered: number }[],
    departments: departmentRows as DepartmentCounts[],
    buckets: (buckets as { department: string; bucket: number; n: unknown }[]).map((b) => ({ department: b.department, bucket: Number(b.bucket), n: n(b.n) })),
    refunds: refundRows as RefundCounts[],
  };
}

interface ReplyTime {
  department: string;
  v: number | null;
  n: number;
}

/**
 * The p90 reply times (nearest rank) of each department and of all of them:
 * the histogram of the rolled-up days with the detailed times of the other
 * days find the bucket that holds the rank, then the exact times of the
 * rolled-up days in that bucket (one index range each) settle it.
 */
async function p90ReplyTimes(
  db: Kysely<ReadModelTables>,
  days: readonly DayRun[],
  branch: string | undefined,
  buckets: readonly { department: string; bucket: number; n: number }[],
  times: readonly ReplyTime[],
  replied: ReadonlyMap<string, number>,
): Promise<{ byDepartment: Map<string, number | null>; all: number | null }> {
  const departments = [...replied.keys()];
  const targets: { departments: string[]; count: number; key: string | undefined }[] = [
    ...departments.map((department) => ({ departments: [department], count: replied.get(department)!, key: department })),
    { departments, count: [...replied.values()].reduce((sum, count) => sum + count, 0), key: undefined },
  ];
  const byDepartment = new Map<string, number | null>();
  let all: number | null = null;
  for (const target of targets) {
    const value = await p90Of(target.departments, target.count);
    if (target.key === undefined) all = value;
    else byDepartment.set(target.key, value);
  }
  return { byDepartment, all };

  async function p90Of(of: readonly string[], count: number): Promise<number | null> {
    if (count === 0) return null;
    const rank = nearestRank(0.9, count);
    const mine = new Set(of);
    // null reply times (none in practice: a replied hop has ended) sort first, as the database sorts them
    const detail = times.filter((t) => mine.has(t.department));
    let seen = 0;
    for (const t of detail) {
      if (t.v !== null) break;
      seen += t.n;
      if (seen > rank) return null;
    }
    const perBucket = new Map<number, number>();
    for (const b of buckets) if (mine.has(b.department)) perBucket.set(b.bucket, (perBucket.get(b.bucket) ?? 0) + b.n);
    for (const t of detail) if (t.v !== null) perBucket.set(replyBucket(t.v), (perBucket.get(replyBucket(t.v)) ?? 0) + t.n);
    for (const bucket of [...perBucket.keys()].sort((a, b) => a - b)) {
      const inBucket = perBucket.get(bucket)!;
      if (seen + inBucket <= rank) {
        seen += inBucket;
        continue;
      }
      const exact = new Map<number, number>();
      for (const t of detail) if (t.v !== null && replyBucket(t.v) === bucket) exact.set(t.v, (exact.get(t.v) ?? 0) + t.n);
      if (days.length > 0 && buckets.some((b) => b.bucket === bucket && mine.has(b.department))) {
        const rows = await db
          .selectFrom('stats_reply_seconds')
          .select(['seconds', sql<number>`sum(n)`.as('n')])
          .where('department', 'in', [...of])
          .where('bucket', '=', bucket)
          .where(inDays(days))
          .$if(branch !== undefined, (q) => q.where('branch', '=', branch!))
          .groupBy('seconds')
          .execute();
        for (const row of rows) exact.set(Number(row.seconds), (exact.get(Number(row.seconds)) ?? 0) + n(row.n));
      }
      for (const v of [...exact.keys()].sort((a, b) => a - b)) {
        seen += exact.get(v)!;
        if (seen > rank) return v;
      }
      return null;
    }
    return null;
  }
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** the counts with their keys in order, whichever source they came from */
const sortedByKey = (counts: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).sort(([a], [b]) => byText(a, b)));

/**
 * The figures API.md lists for a period, from the read models, as known at
 * `asOf`: whole days from the daily rollups where they are exact for `asOf`,
 * the rest from the detailed tables (see stats-rollups.ts).
 */
export async function statsSummary(db: Kysely<ReadModelTables>, query: StatsQuery, options: StatsOptions = {}): Promise<StatsSummary> {
  const from = query.from.toISOString();
  const to = query.to.toISOString();
  const asOf = query.asOf.toISOString();
  const registeredTo = to < asOf ? to : asOf;
  const sources = await sourcesOf(db, from, registeredTo, asOf, options);
  const [detail, rollup] = await Promise.all([detailed(db, sources, asOf, query.branch), rolledUp(db, sources, query.branch)]);

  // the rollups count by category and by channel apart; the detailed rows by both
  const byCategory: Record<string, number> = {};
  const byChannel: Record<string, number> = {};
  const byBranch: Record<string, number> = {};
  const totals = { registered: 0, onSite: 0, repeats: 0, asked: 0, satisfied: 0, archived: 0, escalated: 0, reopened: 0 };
  for (const g of [...rollup.groups, ...detail.groups]) {
    const count = n(g.registered);
    byCategory[g.category] = (byCategory[g.category] ?? 0) + count;
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
  for (const c of [...rollup.channels, ...detail.groups]) byChannel[c.channel] = (byChannel[c.channel] ?? 0) + n(c.registered);

  const counts = new Map<string, DepartmentCounts>();
  for (const d of [...rollup.departments, ...detail.departments]) {
    const sum = counts.get(d.department);
    if (!sum) {
      counts.set(d.department, { ...d });
      continue;
    }
    for (const column of ['received', 'replied', 'forwarded', 'judged', 'on_time', 'reply_seconds'] as const) sum[column] = n(sum[column]) + n(d[column]);
  }
  const departmentRows = [...counts.values()].sort((a, b) => byText(a.department, b.department));
  const replied = new Map(departmentRows.map((d) => [d.department, n(d.replied)]));
  const p90 = await p90ReplyTimes(db, sources.hop.days, query.branch, rollup.buckets, detail.times, replied);

  const byDepartment: DepartmentStats[] = [];
  for (const d of departmentRows) {
    const judged = n(d.judged);
    const onTime = n(d.on_time);
    const repliedHops = n(d.replied);
    byDepartment.push({
      department: d.department,
      received: n(d.received),
      replied: repliedHops,
      forwarded: n(d.forwarded),
      judged,
      onTime,
      compliance: rate(onTime, judged),
      meanReplySeconds: repliedHops === 0 ? null : Math.round(n(d.reply_seconds) / repliedHops),
      p90ReplySeconds: p90.byDepartment.get(d.department) ?? null,
    });
  }
  const judged = byDepartment.reduce((s, d) => s + d.judged, 0);
  const onTime = byDepartment.reduce((s, d) => s + d.onTime, 0);
  const repliedAll = byDepartment.reduce((s, d) => s + d.replied, 0);
  const meanSeconds = repliedAll === 0 ? null : Math.round(byDepartment.reduce((s, d) => s + (d.meanReplySeconds ?? 0) * d.replied, 0) / repliedAll);

  const refunds: RefundCounts = { requested: 0, verified: 0, verified_on_time: 0, rejected: 0, executed: 0, executed_fen: 0, cash: 0 };
  for (const r of [...rollup.refunds, ...detail.refunds]) for (const column of Object.keys(refunds) as (keyof RefundCounts)[]) refunds[column] += n(r[column]);

  return {
    from,
    to,
    branch: query.branch ?? null,
    asOf,
    registered: totals.registered,
    byCategory: sortedByKey(byCategory),
    byChannel: sortedByKey(byChannel),
    byBranch: sortedByKey(byBranch),
    byDepartment,
    onSiteResolution: { count: totals.onSite, rate: rate(totals.onSite, totals.registered) },
    replyCompliance: { judged, onTime, rate: rate(onTime, judged) },
    replyTime: { meanSeconds, p90Seconds: p90.all },
    escalation: { count: totals.escalated, rate: rate(totals.escalated, totals.registered) },
    reopen: { count: totals.reopened, rate: rate(totals.reopened, totals.registered) },
    repeatComplaint: { count: totals.repeats, rate: rate(totals.repeats, totals.registered) },
    satisfaction: { asked: totals.asked, satisfied: totals.satisfied, rate: rate(totals.satisfied, totals.asked) },
    archived: totals.archived,
    refunds: {
      requested: refunds.requested,
      verified: refunds.verified,
      verifiedOnTime: refunds.verified_on_time,
      rejected: refunds.rejected,
      executed: refunds.executed,
      executedAmount: refunds.executed_fen / 100,
      cash: refunds.cash,
    },
  };
}

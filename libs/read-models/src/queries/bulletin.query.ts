import { Kysely, sql } from 'kysely';
import { ComplaintCategory, ComplaintPolicy, MIIT_CLASS_NAMES, MiitClass, miitClassOf } from '@complaints/domain';
import { ReadModelTables } from '../projections/read-model.tables';
import { Period, PeriodKind, periodOf, previousPeriod } from './periods';

export interface CauseLine {
  category: string;
  subcategory: string | null;
  miitClass: MiitClass;
  miitClassName: string;
  count: number;
  /** share of the period's complaints */
  rate: number;
  previousCount: number;
  previousRate: number;
  /** rate − previous rate, in percentage points */
  change: number;
}

export interface MeasureEvaluation {
  measureId: string;
  period: string;
  cause: { category: string; subcategory: string | null };
  branch: string | null;
  measure: string;
  recordedBy: string | null;
  /** the cause's rate in the measure's period, then in the next */
  rateBefore: number;
  rateAfter: number;
  change: number;
  verdict: 'improved' | 'unchanged' | 'worse';
}

export interface Bulletin {
  period: { kind: PeriodKind; label: string; start: string; end: string };
  previousPeriod: { label: string; start: string; end: string };
  asOf: string;
  total: number;
  previousTotal: number;
  topCauses: CauseLine[];
  miitClasses: { miitClass: MiitClass; name: string; count: number; rate: number }[];
  branchTrend: { branch: string; count: number; previousCount: number; change: number | null }[];
  /** last period's measures, judged by how their cause moved in this period */
  measuresEvaluated: MeasureEvaluation[];
  /** this period's measures, to be judged in the next bulletin */
  measuresRecorded: Omit<MeasureEvaluation, 'rateAfter' | 'change' | 'verdict'>[];
}

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000);
/** a change of the cause's rate smaller than this (relative) is no change */
const NOISE = 0.1;

async function causes(db: Kysely<ReadModelTables>, period: Period, asOf: string, branch?: string) {
  const end = period.end.toISOString() < asOf ? period.end.toISOString() : asOf;
  let q = db
    .selectFrom('complaints')
    .select(['category', 'subcategory', 'branch', sql<number>`count(*)`.as('n')])
    .where('registered_at', '>=', period.start.toISOString())
    .where('registered_at', '<', end)
    .groupBy(['category', 'subcategory', 'branch']);
  if (branch) q = q.where('branch', '=', branch);
  return (await q.execute()).map((r) => ({ ...r, n: Number(r.n) }));
}

const causeKey = (category: string, subcategory: string | null) => `${category}\u0000${subcategory ?? ''}`;

/** The analyst bulletin of a period: top causes, MIIT classes, branch trends, and the evaluation of last period's measures. */
export async function bulletin(
  db: Kysely<ReadModelTables>,
  policy: ComplaintPolicy,
  query: { kind: PeriodKind; date: string; branch?: string; asOf: Date; top: number },
): Promise<Bulletin> {
  const period = periodOf(query.kind, query.date);
  const previous = previousPeriod(period);
  const asOf = query.asOf.toISOString();
  const [now, before] = await Promise.all([causes(db, period, asOf, query.branch), causes(db, previous, asOf, query.branch)]);
  const total = now.reduce((s, r) => s + r.n, 0);
  const previousTotal = before.reduce((s, r) => s + r.n, 0);

  const sumBy = (rows: typeof now, key: (r: (typeof now)[number]) => string) => {
    const sums = new Map<string, number>();
    for (const r of rows) sums.set(key(r), (sums.get(key(r)) ?? 0) + r.n);
    return sums;
  };
  const causeNow = sumBy(now, (r) => causeKey(r.category, r.subcategory));
  const causeBefore = sumBy(before, (r) => causeKey(r.category, r.subcategory));
  const rateNow = (category: string, subcategory: string | null) => ratio(causeNow.get(causeKey(category, subcategory)) ?? 0, total);
  const rateBefore = (category: string, subcategory: string | null) => ratio(causeBefore.get(causeKey(category, subcategory)) ?? 0, previousTotal);

  const topCauses: CauseLine[] = [...causeNow.entries()]
    .map(([key, count]) => {
      const [category, sub] = key.split('\u0000');
      const subcategory = sub === '' ? null : sub;
      const miitClass = miitClassOf(policy, category as ComplaintCategory, subcategory ?? undefined);
      const previousCount = causeBefore.get(key) ?? 0;
      const rate = ratio(count, total);
      const previousRate = ratio(previousCount, previousTotal);
      return { category, subcategory, miitClass, miitClassName: MIIT_CLASS_NAMES[miitClass], count, rate, previousCount, previousRate, change: Math.round((rate - previousRate) * 10_000) / 100 };
    })
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category) || (a.subcategory ?? '').localeCompare(b.subcategory ?? ''))
    .slice(0, query.top);

  const classes = new Map<MiitClass, number>();
  for (const r of now) {
    const c = miitClassOf(policy, r.category as ComplaintCategory, r.subcategory ?? undefined);
    classes.set(c, (classes.get(c) ?? 0) + r.n);
  }
  const branchNow = sumBy(now, (r) => r.branch);
  const branchBefore = sumBy(before, (r) => r.branch);
  const branches = [...new Set([...branchNow.keys(), ...branchBefore.keys()])].sort();

  const measureRows = await db
    .selectFrom('preventive_measures')
    .selectAll()
    .where('period_kind', '=', query.kind)
    .where('period_start', 'in', [previous.start.toISOString(), period.start.toISOString()])
    .where('recorded_at', '<=', asOf)
    .orderBy('recorded_at')
    .execute();
  const inScope = measureRows.filter((m) => !query.branch || m.branch === null || m.branch === query.branch);
  const describe = (m: (typeof measureRows)[number]) => ({
    measureId: m.id,
    period: m.period_label,
    cause: { category: m.category, subcategory: m.subcategory },
    branch: m.branch,
    measure: m.measure,
    recordedBy: m.recorded_by,
  });

  return {
    period: { kind: period.kind, label: period.label, start: period.start.toISOString(), end: period.end.toISOString() },
    previousPeriod: { label: previous.label, start: previous.start.toISOString(), end: previous.end.toISOString() },
    asOf,
    total,
    previousTotal,
    topCauses,
    miitClasses: (Object.keys(MIIT_CLASS_NAMES) as MiitClass[]).map((c) => ({ miitClass: c, name: MIIT_CLASS_NAMES[c], count: classes.get(c) ?? 0, rate: ratio(classes.get(c) ?? 0, total) })),
    branchTrend: branches.map((branch) => {
      const count = branchNow.get(branch) ?? 0;
      const previousCount = branchBefore.get(branch) ?? 0;
      return { branch, count, previousCount, change: previousCount === 0 ? null : Math.round(((count - previousCount) / previousCount) * 10_000) / 10_000 };
    }),
    measuresEvaluated: inScope
      .filter((m) => m.period_start === previous.start.toISOString())
      .map((m) => {
        const before = rateBefore(m.category, m.subcategory);
        const after = rateNow(m.category, m.subcategory);
        const change = Math.round((after - before) * 10_000) / 10_000;
        const relative = before === 0 ? (after === 0 ? 0 : 1) : change / before;
        const verdict = relative <= -NOISE ? 'improved' : relative >= NOISE ? 'worse' : 'unchanged';
        return { ...describe(m), rateBefore: before, rateAfter: after, change, verdict };
      }),
    measuresRecorded: inScope.filter((m) => m.period_start === period.start.toISOString()).map((m) => ({ ...describe(m), rateBefore: rateNow(m.category, m.subcategory) })),
  };
}

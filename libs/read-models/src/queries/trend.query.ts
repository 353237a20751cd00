import { Kysely, sql } from 'kysely';
import { ComplaintCase, ComplaintCategory, ComplaintPolicy, miitClassOf } from '@complaints/domain';
import { ReadModelTables } from '../projections/read-model.tables';
import { cstDate } from './periods';

/** What the analysts' dashboard draws beside the summary: the period day by day, categories against the MIIT classes, callbacks, repeat complainants. */
export interface StatsTrend {
  from: string;
  to: string;
  branch: string | null;
  asOf: string;
  /** every calendar day (China Standard Time) of the period up to `asOf`, oldest first */
  days: { date: string; registered: number; byCategory: Record<string, number>; escalations: number; repeats: number }[];
  /** complaints of the period by category and the MIIT class their category or subcategory maps to */
  categoryByMiit: { category: string; miitClass: string; count: number }[];
  /** escalations in the period by what caused them */
  escalationsByTrigger: Record<string, number>;
  /** callbacks (回访) of the period's archived complaints: the outcome of each as of `asOf` */
  callbacks: { satisfied: number; unsatisfied: number; unreachable: number; pending: number };
  /** numbers with two or more complaints in the period, most first (the caller masks them for analysts) */
  repeatComplainants: { msisdn: string; complaints: number; lastAt: string }[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** the read models' instants are ISO-8601 UTC of one width: the first 13 characters are the hour (portable: substr is SQL everywhere) */
const utcHourOf = (column: string) => sql<string>`substr(${sql.ref(column)}, 1, 13)`;
/** the CST calendar date of an hour bucket such as 2026-11-27T17 */
const dayOfHour = (hour: string) => cstDate(new Date(Date.parse(`${hour}:00:00.000Z`)));

/**
 * The period's complaints day by day and by MIIT class, escalations by day,
 * callback outcomes and repeat complainants, as known at `asOf`: complaints
 * registered in [from, to) and by `asOf`, escalations and callbacks that had
 * happened by then. Counted by UTC hour in SQL and folded into CST days here,
 * so the query is the same on SQLite and PostgreSQL.
 */
export async function statsTrend(
  db: Kysely<ReadModelTables>,
  policy: ComplaintPolicy,
  query: { from: Date; to: Date; asOf: Date; branch?: string; topRepeat?: number },
): Promise<StatsTrend> {
  const from = query.from.toISOString();
  const asOf = query.asOf.toISOString();
  const end = query.to < query.asOf ? query.to.toISOString() : asOf;

  let complaints = db
    .selectFrom('complaints')
    .select([utcHourOf('registered_at').as('hour'), 'category', 'subcategory', sql<number>`count(*)`.as('n'), sql<number>`sum(repeat_complaint)`.as('repeats')])
    .where('registered_at', '>=', from)
    .where('registered_at', '<', end)
    .groupBy([utcHourOf('registered_at'), 'category', 'subcategory']);
  if (query.branch) complaints = complaints.where('branch', '=', query.branch);

  let escalations = db
    .selectFrom('escalations')
    .select([utcHourOf('escalated_at').as('hour'), 'trigger_kind', sql<number>`count(*)`.as('n')])
    .where('escalated_at', '>=', from)
    .where('escalated_at', '<', end)
    .groupBy([utcHourOf('escalated_at'), 'trigger_kind']);
  if (query.branch) escalations = escalations.where('branch', '=', query.branch);

  let repeat = db
    .selectFrom('complaints')
    .select(['msisdn', sql<number>`count(*)`.as('n'), sql<string>`max(registered_at)`.as('last_at')])
    .where('registered_at', '>=', from)
    .where('registered_at', '<', end)
    .groupBy('msisdn')
    .having(sql<number>`count(*)`, '>=', 2)
    .orderBy(sql`count(*)`, 'desc')
    .orderBy(sql`max(registered_at)`, 'desc')
    .limit(query.topRepeat ?? 10);
  if (query.branch) repeat = repeat.where('branch', '=', query.branch);

  // the callbacks live in the folded state only: read the archived complaints' states
  let archived = db
    .selectFrom('complaints as c')
    .innerJoin('complaint_states as s', 's.id', 'c.id')
    .select(['s.state'])
    .where('c.registered_at', '>=', from)
    .where('c.registered_at', '<', end)
    .where('c.archived_at', 'is not', null)
    .where('c.archived_at', '<=', asOf);
  if (query.branch) archived = archived.where('c.branch', '=', query.branch);

  const [complaintRows, escalationRows, repeatRows, archivedRows] = await Promise.all([complaints.execute(), escalations.execute(), repeat.execute(), archived.execute()]);

  const days = new Map<string, StatsTrend['days'][number]>();
  if (end > from) {
    const last = cstDate(new Date(Date.parse(end) - 1));
    for (let day = cstDate(query.from); day <= last; day = cstDate(new Date(Date.parse(`${day}T00:00:00+08:00`) + DAY_MS))) {
      days.set(day, { date: day, registered: 0, byCategory: {}, escalations: 0, repeats: 0 });
    }
  }
  const matrix = new Map<string, { category: string; miitClass: string; count: number }>();
  for (const row of complaintRows) {
    const count = Number(row.n);
    const day = days.get(dayOfHour(row.hour));
    if (day) {
      day.registered += count;
      day.byCategory[row.category] = (day.byCategory[row.category] ?? 0) + count;
      day.repeats += Number(row.repeats ?? 0);
    }
    const miitClass = miitClassOf(policy, row.category as ComplaintCategory, row.subcategory ?? undefined);
    const key = `${row.category}\u0000${miitClass}`;
    const cell = matrix.get(key) ?? { category: row.category, miitClass, count: 0 };
    cell.count += count;
    matrix.set(key, cell);
  }
  const escalationsByTrigger: Record<string, number> = {};
  for (const row of escalationRows) {
    const count = Number(row.n);
    const day = days.get(dayOfHour(row.hour));
    if (day) day.escalations += count;
    escalationsByTrigger[row.trigger_kind] = (escalationsByTrigger[row.trigger_kind] ?? 0) + count;
  }
  const callbacks = { satisfied: 0, unsatisfied: 0, unreachable: 0, pending: 0 };
  for (const row of archivedRows) {
    const state = JSON.parse(row.state) as Pick<ComplaintCase, 'callbacks'>;
    for (const callback of state.callbacks ?? []) {
      const attempts = callback.attempts.filter((a) => a.at <= asOf);
      const outcome = attempts[attempts.length - 1]?.outcome;
      if (outcome === undefined) callbacks.pending += 1;
      else callbacks[outcome] += 1;
    }
  }

  return {
    from,
    to: query.to.toISOString(),
    branch: query.branch ?? null,
    asOf,
    days: [...days.values()],
    categoryByMiit: [...matrix.values()].sort((a, b) => a.category.localeCompare(b.category) || a.miitClass.localeCompare(b.miitClass)),
    escalationsByTrigger,
    callbacks,
    repeatComplainants: repeatRows.map((r) => ({ msisdn: r.msisdn, complaints: Number(r.n), lastAt: r.last_at })),
  };
}

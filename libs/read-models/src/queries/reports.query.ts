import { Kysely } from 'kysely';
import { ReadModelTables } from '../projections/read-model.tables';
import { Period, PeriodKind, periodOf } from './periods';
import { statsSummary, StatsSummary } from './stats.query';

export interface ReportLine {
  branch: string;
  summary: StatsSummary;
}

export interface Report {
  period: { kind: PeriodKind; label: string; start: string; end: string };
  asOf: string;
  total: StatsSummary;
  byBranch: ReportLine[];
}

/** The daily, ten-day, monthly or yearly report: the period's figures in total and per branch. */
export async function periodReport(db: Kysely<ReadModelTables>, query: { kind: PeriodKind; date: string; branch?: string; asOf: Date }): Promise<Report> {
  const period: Period = periodOf(query.kind, query.date);
  const base = { from: period.start, to: period.end, asOf: query.asOf };
  const total = await statsSummary(db, { ...base, branch: query.branch });
  const branches = Object.keys(total.byBranch).sort();
  const byBranch: ReportLine[] = [];
  for (const branch of branches) byBranch.push({ branch, summary: await statsSummary(db, { ...base, branch }) });
  return {
    period: { kind: period.kind, label: period.label, start: period.start.toISOString(), end: period.end.toISOString() },
    asOf: query.asOf.toISOString(),
    total,
    byBranch,
  };
}

const percent = (value: number | null) => (value === null ? '' : `${(value * 100).toFixed(1)}%`);

/** The columns of the report as a spreadsheet shows it; Chinese headers, as the branches file them. */
export const REPORT_CSV_HEADER = [
  '统计周期',
  '分公司',
  '受理量',
  '计费类',
  '网络类',
  '服务类',
  '梦网类',
  '现场解决率',
  '工单1小时回复及时率',
  '平均回复时长(分钟)',
  '升级率',
  '重开率',
  '重复投诉率',
  '满意率',
  '归档量',
  '退费笔数',
  '退费金额(元)',
];

function csvLine(label: string, branch: string, s: StatsSummary): (string | number)[] {
  return [
    label,
    branch,
    s.registered,
    s.byCategory.billing ?? 0,
    s.byCategory.network ?? 0,
    s.byCategory.service ?? 0,
    s.byCategory.vas ?? 0,
    percent(s.onSiteResolution.rate),
    percent(s.replyCompliance.rate),
    s.replyTime.meanSeconds === null ? '' : (s.replyTime.meanSeconds / 60).toFixed(1),
    percent(s.escalation.rate),
    percent(s.reopen.rate),
    percent(s.repeatComplaint.rate),
    percent(s.satisfaction.rate),
    s.archived,
    s.refunds.executed,
    s.refunds.executedAmount.toFixed(2),
  ];
}

/** One row per branch, then the total: what the CSV carries. */
export function reportRows(report: Report): (string | number)[][] {
  return [...report.byBranch.map((line) => csvLine(report.period.label, line.branch, line.summary)), csvLine(report.period.label, '合计', report.total)];
}

import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api';
import { departmentName, useCatalog } from '../catalog';
import { label, t } from '../i18n';
import { cstDate, percent } from '../format';
import { useLive } from '../live';
import { useResource } from '../resource';
import { navigate } from '../router';
import type { Session } from '../session';
import type { StatsSummary, StatsTrend } from '../types';
import { Chart } from '../components/chart';
import { AsOfBanner, AsOfControl, Loading, ProblemBanner } from '../components/ui';

const DAY_MS = 86_400_000;
const CATEGORIES = ['billing', 'network', 'service', 'vas'];
const MIIT = ['user_service', 'billing_dispute', 'network_quality'];
const COLORS = ['#1f6feb', '#e8a317', '#2da44e', '#a371f7', '#cf222e', '#57606a'];

/** the CST day as the API's instants: its start, and the start of the day after */
const dayStart = (date: string) => `${date}T00:00:00+08:00`;
const nextDayStart = (date: string) => new Date(Date.parse(dayStart(date)) + DAY_MS).toISOString();

/**
 * The analysts' dashboard: the period's figures as tiles and charts, from
 * GET /api/stats/summary and GET /api/stats/trend, optionally as they stood
 * at a past instant (asOf). Personal data comes masked from the API.
 */
export function Dashboard({ session, params }: { session: Session; params: URLSearchParams }) {
  const { position } = useLive();
  const catalog = useCatalog();
  const asOf = params.get('asOf') ?? undefined;
  const today = cstDate(asOf ? new Date(asOf) : new Date());
  const to = params.get('to') ?? today;
  const from = params.get('from') ?? cstDate(new Date(Date.parse(dayStart(to)) - 29 * DAY_MS));
  const branch = params.get('branch') ?? undefined;
  const [form, setForm] = useState({ from, to, branch: branch ?? '' });
  // the address is the truth (back, forward, bookmarks): the form follows it
  useEffect(() => setForm({ from, to, branch: branch ?? '' }), [from, to, branch]);
  const range = { from: dayStart(from), to: nextDayStart(to), branch: session.user.branch ? undefined : branch, asOf };
  const live = asOf ? 0 : position;
  const summary = useResource((signal) => api<StatsSummary>(`/api/stats/summary${query(range)}`, { signal }), [from, to, branch, asOf, live]);
  const trend = useResource((signal) => api<StatsTrend>(`/api/stats/trend${query(range)}`, { signal }), [from, to, branch, asOf, live]);
  const s = summary.data;
  const tr = trend.data;
  return (
    <section aria-labelledby="dash-title" class="dashboard">
      <div class="page-head">
        <h1 id="dash-title">{t('dashboard.title')}</h1>
        <AsOfControl asOf={asOf} />
      </div>
      <AsOfBanner asOf={asOf} />
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('/dashboard', { from: form.from, to: form.to, branch: form.branch || undefined, asOf });
        }}
      >
        <label>
          {t('dashboard.from')} <input type="date" value={form.from} onInput={(e) => setForm({ ...form, from: (e.currentTarget as HTMLInputElement).value })} />
        </label>
        <label>
          {t('dashboard.to')} <input type="date" value={form.to} onInput={(e) => setForm({ ...form, to: (e.currentTarget as HTMLInputElement).value })} />
        </label>
        {!session.user.branch && (
          <label>
            {t('dashboard.branch')} <input size={6} value={form.branch} onInput={(e) => setForm({ ...form, branch: (e.currentTarget as HTMLInputElement).value.trim() })} />
          </label>
        )}
        <button type="submit" class="primary">
          {t('dashboard.apply')}
        </button>
        {session.user.role === 'analyst' && <span class="muted small">{t('dashboard.masked')}</span>}
      </form>
      <ProblemBanner error={summary.error ?? trend.error} />
      {!s || !tr ? (
        <Loading />
      ) : (
        <>
          <div class="tiles" data-testid="kpis">
            <Tile name={t('dashboard.registered')} value={String(s.registered)} />
            <Tile name={t('dashboard.onSite')} value={percent(s.onSiteResolution.rate)} />
            <Tile name={t('dashboard.compliance')} value={percent(s.replyCompliance.rate)} />
            <Tile name={t('dashboard.escalationRate')} value={percent(s.escalation.rate)} />
            <Tile name={t('dashboard.satisfactionRate')} value={percent(s.satisfaction.rate)} />
            <Tile name={t('dashboard.repeatRate')} value={percent(s.repeatComplaint.rate)} />
          </div>
          <div class="chart-grid">
            <Chart
              testId="chart-trend"
              title={t('dashboard.trend')}
              option={{
                color: COLORS,
                tooltip: { trigger: 'axis' },
                legend: { top: 0 },
                grid: { left: 40, right: 16, top: 36, bottom: 24 },
                xAxis: { type: 'category', data: tr.days.map((d) => d.date.slice(5)) },
                yAxis: { type: 'value', minInterval: 1 },
                series: CATEGORIES.map((c) => ({ name: label('category', c), type: 'bar', stack: 'day', data: tr.days.map((d) => d.byCategory[c] ?? 0) })),
              }}
            />
            <Chart
              testId="chart-categories"
              title={t('dashboard.categories')}
              option={{
                color: COLORS,
                tooltip: { trigger: 'axis' },
                legend: { top: 0 },
                grid: { left: 40, right: 16, top: 36, bottom: 24 },
                xAxis: { type: 'category', data: CATEGORIES.map((c) => label('category', c)), axisLabel: { interval: 0, fontSize: 11 } },
                yAxis: { type: 'value', minInterval: 1 },
                series: MIIT.map((m) => ({
                  name: label('miit', m),
                  type: 'bar',
                  stack: 'miit',
                  data: CATEGORIES.map((c) => tr.categoryByMiit.filter((x) => x.category === c && x.miitClass === m).reduce((n, x) => n + x.count, 0)),
                })),
              }}
            />
            <Chart
              testId="chart-departments"
              title={t('dashboard.departments')}
              option={{
                color: ['#2da44e'],
                tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${v}%` },
                grid: { left: 130, right: 24, top: 12, bottom: 24 },
                xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
                yAxis: { type: 'category', data: s.byDepartment.map((d) => departmentName(catalog, d.department)) },
                series: [{ type: 'bar', data: s.byDepartment.map((d) => (d.compliance === null ? 0 : Math.round(d.compliance * 1000) / 10)) }],
              }}
            />
            <Chart
              testId="chart-escalations"
              title={t('dashboard.escalations')}
              option={{
                color: ['#cf222e'],
                tooltip: { trigger: 'axis' },
                grid: { left: 40, right: 16, top: 12, bottom: 24 },
                xAxis: { type: 'category', data: tr.days.map((d) => d.date.slice(5)) },
                yAxis: { type: 'value', minInterval: 1 },
                series: [{ type: 'line', areaStyle: {}, data: tr.days.map((d) => d.escalations) }],
              }}
            />
            <Chart
              testId="chart-callbacks"
              title={t('dashboard.callbacks')}
              option={{
                tooltip: { trigger: 'item' },
                legend: { top: 0 },
                series: [
                  {
                    type: 'pie',
                    radius: ['38%', '65%'],
                    center: ['50%', '58%'],
                    label: { formatter: '{b} {c}' },
                    // a slice of nothing would only stack its label on the others
                    data: [
                      { name: label('outcome', 'satisfied'), value: tr.callbacks.satisfied, itemStyle: { color: '#2da44e' } },
                      { name: label('outcome', 'unsatisfied'), value: tr.callbacks.unsatisfied, itemStyle: { color: '#cf222e' } },
                      { name: label('outcome', 'unreachable'), value: tr.callbacks.unreachable, itemStyle: { color: '#e8a317' } },
                      { name: t('dashboard.callbackPending'), value: tr.callbacks.pending, itemStyle: { color: '#8c959f' } },
                    ].filter((slice) => slice.value > 0),
                  },
                ],
              }}
            />
            <Chart
              testId="chart-repeat"
              title={t('dashboard.repeat')}
              option={{
                color: ['#a371f7'],
                tooltip: { trigger: 'axis' },
                grid: { left: 110, right: 24, top: 12, bottom: 24 },
                xAxis: { type: 'value', minInterval: 1, name: t('dashboard.repeatCount') },
                yAxis: { type: 'category', inverse: true, data: tr.repeatComplainants.map((r) => r.msisdn) },
                series: [{ type: 'bar', data: tr.repeatComplainants.map((r) => r.complaints) }],
              }}
            />
          </div>
          {s.registered === 0 && <p class="muted">{t('dashboard.noData')}</p>}
        </>
      )}
    </section>
  );
}

function Tile({ name, value }: { name: string; value: string }) {
  return (
    <div class="tile">
      <span class="tile-value">{value}</span>
      <span class="tile-name">{name}</span>
    </div>
  );
}

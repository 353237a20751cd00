import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, downloadCsv, query } from '../api';
import { label, t } from '../i18n';
import { cstDate, percent, yuan } from '../format';
import { useResource } from '../resource';
import { navigate } from '../router';
import type { Session } from '../session';
import type { StatsSummary } from '../types';
import { AsOfBanner, AsOfControl, enumOptions, Loading, ProblemBanner, Select, TextField } from '../components/ui';

export const PERIODS = ['daily', 'ten-day', 'monthly', 'yearly'];

interface Report {
  period: { kind: string; label: string; start: string; end: string };
  asOf: string;
  total: StatsSummary;
  byBranch: { branch: string; summary: StatsSummary }[];
}

/** Daily, ten-day (旬报), monthly and yearly reports, in total and per branch; CSV as the branches file them. */
export function Reports({ session, params }: { session: Session; params: URLSearchParams }) {
  const period = params.get('period') ?? 'daily';
  const date = params.get('date') ?? cstDate(new Date());
  const branch = session.user.branch ? undefined : (params.get('branch') ?? undefined);
  const asOf = params.get('asOf') ?? undefined;
  const [form, setForm] = useState({ period, date, branch: branch ?? '' });
  useEffect(() => setForm({ period, date, branch: branch ?? '' }), [period, date, branch]);
  const [csvError, setCsvError] = useState<ApiError>();
  const path = `/api/reports/${encodeURIComponent(period)}${query({ date, branch, asOf })}`;
  const report = useResource((signal) => api<Report>(path, { signal }), [path]);
  const r = report.data;
  return (
    <section aria-labelledby="rep-title">
      <div class="page-head">
        <h1 id="rep-title">{t('reports.title')}</h1>
        <AsOfControl asOf={asOf} />
      </div>
      <AsOfBanner asOf={asOf} />
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('/reports', { period: form.period, date: form.date, branch: form.branch || undefined, asOf });
        }}
      >
        <Select name="period" label={t('reports.period')} value={form.period} onChange={(p) => setForm({ ...form, period: p })} options={enumOptions('period', PERIODS)} />
        <TextField name="date" label={t('reports.date')} type="date" value={form.date} onInput={(d) => setForm({ ...form, date: d })} />
        {!session.user.branch && <TextField name="branch" label={t('dashboard.branch')} value={form.branch} onInput={(b) => setForm({ ...form, branch: b.trim() })} size={6} />}
        <button type="submit" class="primary">
          {t('reports.show')}
        </button>
        <button
          type="button"
          data-testid="report-csv"
          onClick={() => {
            setCsvError(undefined);
            downloadCsv(path, `report-${period}-${date}.csv`).catch((e: unknown) => e instanceof ApiError && setCsvError(e));
          }}
        >
          {t('reports.csv')}
        </button>
      </form>
      <ProblemBanner error={report.error ?? csvError} />
      {!r ? (
        <Loading />
      ) : (
        <>
          <p class="muted">{r.period.label}</p>
          <div class="table-wrap">
            <table class="queue numbers" data-testid="report">
              <thead>
                <tr>
                  <th scope="col">{t('desk.branch')}</th>
                  <th scope="col">{t('dashboard.registered')}</th>
                  {['billing', 'network', 'service', 'vas'].map((c) => (
                    <th scope="col" key={c}>
                      {label('category', c)}
                    </th>
                  ))}
                  <th scope="col">{t('dashboard.onSite')}</th>
                  <th scope="col">{t('dashboard.compliance')}</th>
                  <th scope="col">{t('dashboard.escalationRate')}</th>
                  <th scope="col">{t('dashboard.repeatRate')}</th>
                  <th scope="col">{t('dashboard.satisfactionRate')}</th>
                  <th scope="col">{t('status.archived')}</th>
                  <th scope="col">{t('complaint.refunds')}</th>
                </tr>
              </thead>
              <tbody>
                {[...r.byBranch.map((b) => ({ name: b.branch, s: b.summary })), { name: t('reports.total'), s: r.total }].map(({ name, s }) => (
                  <tr key={name}>
                    <th scope="row">{name}</th>
                    <td>{s.registered}</td>
                    {['billing', 'network', 'service', 'vas'].map((c) => (
                      <td key={c}>{s.byCategory[c] ?? 0}</td>
                    ))}
                    <td>{percent(s.onSiteResolution.rate)}</td>
                    <td>{percent(s.replyCompliance.rate)}</td>
                    <td>{percent(s.escalation.rate)}</td>
                    <td>{percent(s.repeatComplaint.rate)}</td>
                    <td>{percent(s.satisfaction.rate)}</td>
                    <td>{s.archived}</td>
                    <td>
                      {s.refunds.executed} / {yuan(s.refunds.executedAmount)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

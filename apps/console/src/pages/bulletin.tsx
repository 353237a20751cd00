import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, downloadCsv, query } from '../api';
import { label, MessageKey, t } from '../i18n';
import { cstDate, percent } from '../format';
import { useResource } from '../resource';
import { navigate } from '../router';
import type { Session } from '../session';
import { ActionBar } from '../components/action-form';
import { AsOfBanner, AsOfControl, enumOptions, Loading, Notice, ProblemBanner, Select, TextField } from '../components/ui';
import { PERIODS } from './reports';

interface Bulletin {
  period: { kind: string; label: string };
  previousPeriod: { label: string };
  total: number;
  previousTotal: number;
  topCauses: { category: string; subcategory: string | null; miitClass: string; count: number; rate: number; previousCount: number; previousRate: number; change: number }[];
  miitClasses: { miitClass: string; name: string; count: number; rate: number }[];
  branchTrend: { branch: string; count: number; previousCount: number; change: number | null }[];
  measuresEvaluated: { measureId: string; cause: { category: string; subcategory: string | null }; branch: string | null; measure: string; rateBefore: number; rateAfter: number; verdict: string }[];
  measuresRecorded: { measureId: string; cause: { category: string; subcategory: string | null }; branch: string | null; measure: string }[];
}

/** The analyst bulletin (分析通报): top causes, MIIT classes, branches against last period, preventive measures and their evaluation. */
export function Bulletin({ session, params }: { session: Session; params: URLSearchParams }) {
  const period = params.get('period') ?? 'monthly';
  const date = params.get('date') ?? cstDate(new Date());
  const asOf = params.get('asOf') ?? undefined;
  const [form, setForm] = useState({ period, date });
  useEffect(() => setForm({ period, date }), [period, date]);
  const [csvError, setCsvError] = useState<ApiError>();
  const [notice, setNotice] = useState<string>();
  const path = `/api/reports/bulletin${query({ period, date, asOf })}`;
  const bulletin = useResource((signal) => api<Bulletin>(path, { signal }), [path]);
  const b = bulletin.data;
  return (
    <section aria-labelledby="bul-title">
      <div class="page-head">
        <h1 id="bul-title">{t('bulletin.title')}</h1>
        <AsOfControl asOf={asOf} />
      </div>
      <AsOfBanner asOf={asOf} />
      {notice && <Notice>{notice}</Notice>}
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('/bulletin', { period: form.period, date: form.date, asOf });
        }}
      >
        <Select name="period" label={t('reports.period')} value={form.period} onChange={(p) => setForm({ ...form, period: p })} options={enumOptions('period', PERIODS)} />
        <TextField name="date" label={t('reports.date')} type="date" value={form.date} onInput={(d) => setForm({ ...form, date: d })} />
        <button type="submit" class="primary">
          {t('reports.show')}
        </button>
        <button type="button" onClick={() => downloadCsv(path, `bulletin-${period}-${date}.csv`).catch((e: unknown) => e instanceof ApiError && setCsvError(e))}>
          {t('reports.csv')}
        </button>
      </form>
      <ProblemBanner error={bulletin.error ?? csvError} />
      {!b ? (
        <Loading />
      ) : (
        <div class="grid-2">
          <section class="card" aria-labelledby="bul-causes">
            <h2 id="bul-causes">
              {t('bulletin.topCauses')} · {b.period.label}
            </h2>
            <p class="muted">{t('bulletin.total', { n: b.total, p: b.previousTotal })}</p>
            <table class="compact numbers">
              <thead>
                <tr>
                  <th scope="col">{t('desk.col.category')}</th>
                  <th scope="col">{t('bulletin.miit')}</th>
                  <th scope="col">{t('bulletin.count')}</th>
                  <th scope="col">{t('bulletin.rate')}</th>
                  <th scope="col">{t('bulletin.previous')}</th>
                  <th scope="col">{t('bulletin.change')}</th>
                </tr>
              </thead>
              <tbody>
                {b.topCauses.map((c) => (
                  <tr key={`${c.category}/${c.subcategory}`}>
                    <th scope="row">
                      {label('category', c.category)}
                      {c.subcategory ? ` / ${c.subcategory}` : ''}
                    </th>
                    <td>{label('miit', c.miitClass)}</td>
                    <td>{c.count}</td>
                    <td>{percent(c.rate)}</td>
                    <td>{percent(c.previousRate)}</td>
                    <td class={c.change > 0 ? 'worse' : c.change < 0 ? 'better' : ''}>{c.change.toFixed(1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section class="card" aria-labelledby="bul-miit">
            <h2 id="bul-miit">{t('bulletin.miit')}</h2>
            <table class="compact numbers">
              <tbody>
                {b.miitClasses.map((m) => (
                  <tr key={m.miitClass}>
                    <th scope="row">{label('miit', m.miitClass)}</th>
                    <td>{m.count}</td>
                    <td>{percent(m.rate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>{t('bulletin.branchTrend')}</h2>
            <table class="compact numbers">
              <tbody>
                {b.branchTrend.map((r) => (
                  <tr key={r.branch}>
                    <th scope="row">{r.branch}</th>
                    <td>{r.count}</td>
                    <td>{r.previousCount}</td>
                    <td>{r.change === null ? '—' : percent(r.change)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section class="card" aria-labelledby="bul-measures">
            <h2 id="bul-measures">{t('bulletin.measures')}</h2>
            {b.measuresEvaluated.length === 0 ? (
              <p class="muted">{t('app.none')}</p>
            ) : (
              <ul class="plain">
                {b.measuresEvaluated.map((m) => (
                  <li key={m.measureId}>
                    {label('category', m.cause.category)}
                    {m.cause.subcategory ? ` / ${m.cause.subcategory}` : ''} · {m.measure} · {percent(m.rateBefore)} → {percent(m.rateAfter)} · {t(`bulletin.verdict.${m.verdict}` as MessageKey)}
                  </li>
                ))}
              </ul>
            )}
            <h2>{t('bulletin.measuresRecorded')}</h2>
            <ul class="plain">
              {b.measuresRecorded.map((m) => (
                <li key={m.measureId}>
                  {label('category', m.cause.category)}
                  {m.cause.subcategory ? ` / ${m.cause.subcategory}` : ''} · {m.measure}
                </li>
              ))}
            </ul>
            {['analyst', 'admin'].includes(session.user.role) && (
              <ActionBar
                draftKey={`${period}-${date}`}
                specs={[
                  {
                    id: 'measure',
                    title: 'bulletin.recordMeasure',
                    path: '/api/bulletins/measures',
                    fields: [
                      { name: 'period', label: 'reports.period', kind: 'select', options: enumOptions('period', PERIODS), initial: period },
                      { name: 'date', label: 'reports.date', kind: 'text', initial: date },
                      { name: 'category', label: 'field.category', kind: 'select', options: enumOptions('category', ['billing', 'network', 'service', 'vas']) },
                      { name: 'subcategory', label: 'field.subcategory', kind: 'text' },
                      { name: 'branch', label: 'desk.branch', kind: 'text' },
                      { name: 'measure', label: 'bulletin.measure', kind: 'textarea', required: true },
                    ],
                  },
                ]}
                onDone={() => {
                  setNotice(t('action.done'));
                  bulletin.reload();
                }}
              />
            )}
          </section>
        </div>
      )}
    </section>
  );
}

import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { label, t } from '../i18n';
import { dateTime } from '../format';
import { useResource } from '../resource';
import { href, navigate } from '../router';
import type { Session } from '../session';
import type { SearchHit } from '../types';
import { enumOptions, Loading, ProblemBanner, Select, TextField } from '../components/ui';

const STATUSES = ['registered', 'dispatched', 'in_progress', 'resolved', 'answered', 'satisfied', 'archived'];

/** Complaints by number and status, newest first (masked numbers for analysts, as the API answers them). */
export function Search({ params }: { session: Session; params: URLSearchParams }) {
  const [msisdn, setMsisdn] = useState(params.get('msisdn') ?? '');
  const [status, setStatus] = useState(params.get('status') ?? '');
  const [pages, setPages] = useState<string[]>([]);
  const applied = { msisdn: params.get('msisdn') ?? undefined, status: params.get('status') ?? undefined };
  const result = useResource(
    async (signal) => {
      const first = await api<{ items: SearchHit[]; nextCursor: string | null }>(`/api/complaints${query({ ...applied, limit: 50 })}`, { signal });
      const items = [...first.items];
      let cursor = first.nextCursor;
      for (const _ of pages) {
        if (!cursor) break;
        const next = await api<{ items: SearchHit[]; nextCursor: string | null }>(`/api/complaints${query({ ...applied, limit: 50, cursor })}`, { signal });
        items.push(...next.items);
        cursor = next.nextCursor;
      }
      return { items, nextCursor: cursor };
    },
    [applied.msisdn, applied.status, pages.length],
  );
  const errors = result.error?.status === 400 ? result.error.fieldErrors() : undefined;
  return (
    <section aria-labelledby="search-title">
      <div class="page-head">
        <h1 id="search-title">{t('search.title')}</h1>
      </div>
      <form
        class="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setPages([]);
          navigate('/search', { msisdn: msisdn.trim() || undefined, status: status || undefined });
        }}
      >
        <TextField name="msisdn" label={t('search.msisdn')} value={msisdn} onInput={setMsisdn} errors={errors} inputMode="numeric" autoFocus />
        <Select name="status" label={t('search.status')} value={status} onChange={setStatus} options={enumOptions('status', STATUSES, '—')} errors={errors} />
        <button type="submit" class="primary">
          {t('search.submit')}
        </button>
      </form>
      {result.error && result.error.status !== 400 && <ProblemBanner error={result.error} />}
      {!result.data ? (
        result.loading && <Loading />
      ) : result.data.items.length === 0 ? (
        <p class="muted">{t('search.empty')}</p>
      ) : (
        <>
          <table class="queue">
            <thead>
              <tr>
                <th scope="col">{t('desk.col.id')}</th>
                <th scope="col">{t('complaint.customer')}</th>
                <th scope="col">{t('desk.col.category')}</th>
                <th scope="col">{t('desk.col.status')}</th>
                <th scope="col">{t('desk.branch')}</th>
                <th scope="col">{t('desk.col.registered')}</th>
              </tr>
            </thead>
            <tbody>
              {result.data.items.map((hit) => (
                <tr key={hit.id}>
                  <td>
                    <a href={href(`/complaints/${encodeURIComponent(hit.id)}`)}>{hit.id}</a>
                  </td>
                  <td>
                    {hit.customerName ?? '—'} · {hit.msisdn}
                  </td>
                  <td>{label('category', hit.category)}</td>
                  <td>{label('status', hit.status)}</td>
                  <td>{hit.branch}</td>
                  <td>{dateTime(hit.registeredAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.data.nextCursor && (
            <button type="button" onClick={() => setPages([...pages, 'more'])}>
              {t('search.more')}
            </button>
          )}
        </>
      )}
    </section>
  );
}

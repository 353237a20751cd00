import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api';
import { label, t } from '../i18n';
import { dateTime, timeLeft, warningOf } from '../format';
import { useLive, useNow } from '../live';
import { markDataArrived, markRendered } from '../perf';
import { useResource } from '../resource';
import { href, setParam } from '../router';
import type { Session } from '../session';
import type { DeskQueueItem } from '../types';
import { AsOfBanner, AsOfControl, Badge, Flags, Loading, ProblemBanner } from '../components/ui';

const FILTERS = ['all', 'overdue', 'appealRisk', 'vip', 'escalated'] as const;
const FILTER_LABEL = { all: 'desk.filter.all', overdue: 'desk.filter.overdue', appealRisk: 'flag.appealRisk', vip: 'flag.vip', escalated: 'desk.filter.escalated' } as const;

function matches(item: DeskQueueItem, filter: string, now: number): boolean {
  switch (filter) {
    case 'overdue':
      return Date.parse(item.dueAt) < now;
    case 'appealRisk':
      return item.appealRisk;
    case 'vip':
      return item.vip;
    case 'escalated':
      return item.heldBy !== 'desk';
    default:
      return true;
  }
}

/**
 * The desk's open complaints, most urgent first (the server's order: overdue,
 * appeal risk, VIP, level, due time), with countdowns that tick in the
 * browser. Refetched when the live stream says the read models moved.
 */
export function DeskQueue({ session, asOf, filter }: { session: Session; asOf?: string; filter: string }) {
  const { position } = useLive();
  const scoped = session.user.branch !== undefined;
  const [branch, setBranch] = useState('');
  const queue = useResource(
    async (signal) => {
      const answer = await api<{ branch: string | null; asOf: string; items: DeskQueueItem[] }>(`/api/queues/desk${query({ branch: scoped ? undefined : branch, asOf, limit: 1000 })}`, { signal });
      markDataArrived('deskQueue');
      return answer;
    },
    [asOf, branch, asOf ? 0 : position],
  );
  return (
    <section aria-labelledby="desk-title">
      <div class="page-head">
        <h1 id="desk-title">
          {t('desk.title')}
          {session.user.branch ? ` · ${session.user.branch}` : ''}
        </h1>
        <AsOfControl asOf={asOf} />
      </div>
      <AsOfBanner asOf={asOf} />
      <div class="toolbar">
        {!scoped && (
          <label>
            {t('desk.branch')}{' '}
            <input value={branch} size={6} onChange={(e) => setBranch((e.currentTarget as HTMLInputElement).value.trim())} />
          </label>
        )}
        <div role="group" aria-label={t('desk.filter')} class="segmented">
          {FILTERS.map((f) => (
            <button key={f} type="button" aria-pressed={filter === f} onClick={() => setParam('filter', f === 'all' ? undefined : f)}>
              {t(FILTER_LABEL[f])}
            </button>
          ))}
        </div>
        {!asOf && (
          <a class="button primary" href={href('/register')}>
            {t('nav.register')}
          </a>
        )}
      </div>
      <ProblemBanner error={queue.error} />
      {queue.data ? <QueueTable items={queue.data.items} filter={filter} asOf={asOf} /> : queue.loading && <Loading />}
    </section>
  );
}

function QueueTable({ items, filter, asOf }: { items: DeskQueueItem[]; filter: string; asOf?: string }) {
  const ticking = useNow();
  const now = asOf ? Date.parse(asOf) : ticking;
  const shown = items.filter((item) => matches(item, filter, now));
  useEffect(() => markRendered('deskQueue'), [items]);
  if (items.length === 0) return <p class="muted">{t('desk.empty')}</p>;
  return (
    <>
      <p class="muted" aria-live="polite">
        {t('desk.count', { n: shown.length })}
      </p>
      <div class="table-wrap">
        <table class="queue" data-testid="desk-queue">
          <thead>
            <tr>
              <th scope="col">{t('desk.col.id')}</th>
              <th scope="col">{t('desk.col.flags')}</th>
              <th scope="col">{t('desk.col.category')}</th>
              <th scope="col">{t('desk.col.level')}</th>
              <th scope="col">{t('desk.col.status')}</th>
              <th scope="col">{t('desk.col.heldBy')}</th>
              <th scope="col">{t('desk.col.registered')}</th>
              <th scope="col">{t('desk.col.timeLeft')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((item) => (
              <Row key={item.complaintId} item={item} now={now} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Row({ item, now }: { item: DeskQueueItem; now: number }) {
  const seconds = Math.round((Date.parse(item.dueAt) - now) / 1000);
  const overdue = seconds < 0;
  const warning = warningOf(now, item.registeredAt, item.dueAt);
  const cls = overdue ? 'overdue' : warning ?? '';
  return (
    <tr class={cls} data-complaint={item.complaintId}>
      <td>
        <a href={href(`/complaints/${encodeURIComponent(item.complaintId)}`)}>{item.complaintId}</a>
      </td>
      <td>
        <Flags vip={item.vip} overdue={overdue} appealRisk={item.appealRisk} appealRiskAt={item.appealRiskAt} />
        {!overdue && warning && <Badge kind={warning}>{t(warning === 'warn80' ? 'flag.warn80' : 'flag.warn50')}</Badge>}
      </td>
      <td>{label('category', item.category)}</td>
      <td>{item.level}</td>
      <td>{label('status', item.status)}</td>
      <td>{label('tier', item.heldBy)}</td>
      <td>{dateTime(item.registeredAt)}</td>
      <td class={`countdown ${cls}`} title={dateTime(item.dueAt)}>
        {timeLeft(seconds)}
      </td>
    </tr>
  );
}

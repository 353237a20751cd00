import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../api';
import { label, t } from '../i18n';
import { dateTime, timeLeft, warningOf } from '../format';
import { useLive, useNow } from '../live';
import { markDataArrived, markRendered } from '../perf';
import { useResource } from '../resource';
import { href, setParam } from '../router';
import type { Session } from '../session';
import type { DeskQueueItem } from '../types';
import { AsOfBanner, AsOfControl, Loading, ProblemBanner } from '../components/ui';
import { nextRow, useVisibleRows } from '../components/virtual-rows';

/** the fixed height of a queue row (CSS: table.virtual tbody tr) */
const ROW_HEIGHT = 34;

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
  const scroller = useRef<HTMLDivElement>(null);
  const [current, setCurrent] = useState(0);
  /** a row the keyboard moved to, focused once it is drawn (it may need the scroll to bring it in) */
  const focusPending = useRef<number | undefined>(undefined);
  const { start, end, padTop, padBottom } = useVisibleRows(scroller, shown.length, ROW_HEIGHT);
  useEffect(() => markRendered('deskQueue'), [items]);
  useEffect(() => {
    if (focusPending.current === undefined) return;
    const link = scroller.current?.querySelector(`tr[data-index="${focusPending.current}"] a`) as HTMLElement | null;
    if (link) {
      link.focus({ preventScroll: true });
      focusPending.current = undefined;
    }
  });
  if (items.length === 0) return <p class="muted">{t('desk.empty')}</p>;
  // one row is in the Tab order: the current one, or the nearest drawn when it scrolled away
  const tabbable = Math.min(Math.max(current, start), end - 1);

  const onKeyDown = (event: KeyboardEvent) => {
    const next = nextRow(event.key, current, shown.length, Math.floor((scroller.current?.clientHeight ?? 600) / ROW_HEIGHT) - 1);
    if (next === undefined) return;
    event.preventDefault();
    setCurrent(next);
    const element = scroller.current;
    if (element) {
      const top = next * ROW_HEIGHT;
      const header = ROW_HEIGHT;
      if (top < element.scrollTop) element.scrollTop = top;
      else if (top + ROW_HEIGHT + header > element.scrollTop + element.clientHeight) element.scrollTop = top + ROW_HEIGHT + header - element.clientHeight;
    }
    focusPending.current = next;
  };

  return (
    <>
      <p class="muted" aria-live="polite">
        {t('desk.count', { n: shown.length })}
      </p>
      <div class="table-wrap scroller" ref={scroller} onKeyDown={onKeyDown}>
        <table class="queue virtual" data-testid="desk-queue" aria-rowcount={shown.length + 1}>
          <colgroup>
            <col style={{ width: '24%' }} />
            <col style={{ width: '15%' }} />
            <col style={{ width: '13%' }} />
            <col style={{ width: '5%' }} />
            <col style={{ width: '8%' }} />
            <col style={{ width: '10%' }} />
            <col style={{ width: '13%' }} />
            <col style={{ width: '12%' }} />
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
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
            {padTop > 0 && <tr class="pad" style={{ height: `${padTop}px` }} aria-hidden="true" />}
            {shown.slice(start, end).map((item, i) => (
              <Row key={item.complaintId} item={item} now={now} index={start + i} current={start + i === tabbable} onFocus={() => setCurrent(start + i)} />
            ))}
            {padBottom > 0 && <tr class="pad" style={{ height: `${padBottom}px` }} aria-hidden="true" />}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Row({ item, now, index, current, onFocus }: { item: DeskQueueItem; now: number; index: number; current: boolean; onFocus: () => void }) {
  const seconds = Math.round((Date.parse(item.dueAt) - now) / 1000);
  const overdue = seconds < 0;
  const warning = warningOf(now, item.registeredAt, item.dueAt);
  const cls = overdue ? 'overdue' : (warning ?? '');
  return (
    <tr class={current ? `${cls} current` : cls} data-complaint={item.complaintId} data-index={index} aria-rowindex={index + 2}>
      <td>
        <a href={href(`/complaints/${encodeURIComponent(item.complaintId)}`)} tabIndex={current ? 0 : -1} onFocus={onFocus}>
          {item.complaintId}
        </a>
      </td>
      <td>
        {item.vip && <span class="badge vip">{t('flag.vip')}</span>}
        {overdue && <span class="badge overdue">{t('flag.overdue')}</span>}
        {item.appealRisk && (
          <span class="badge appeal" title={dateTime(item.appealRiskAt)}>
            {t('flag.appealRisk')}
          </span>
        )}
        {!overdue && warning && <span class={`badge ${warning}`}>{t(warning === 'warn80' ? 'flag.warn80' : 'flag.warn50')}</span>}
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

import { useEffect, useRef } from 'preact/hooks';
import { api, query } from '../api';
import { departmentName, departmentOptions, useCatalog } from '../catalog';
import { label, t } from '../i18n';
import { dateTime, timeLeft, warningOf } from '../format';
import { useLive, useNow } from '../live';
import { markDataArrived, markRendered } from '../perf';
import { useResource } from '../resource';
import { href, setParam } from '../router';
import type { Session } from '../session';
import type { DepartmentQueueItem } from '../types';
import { AsOfBanner, AsOfControl, Flags, Loading, ProblemBanner, Select } from '../components/ui';
import { useVisibleRows } from '../components/virtual-rows';

const ROW_HEIGHT = 34;

/** A department's open work orders, the one due soonest first, with the time left to each reply. */
export function Inbox({ session, asOf, department: chosen }: { session: Session; asOf?: string; department?: string }) {
  const catalog = useCatalog();
  const { position } = useLive();
  const department = session.user.department ?? chosen ?? catalog?.departments[0]?.id;
  const queue = useResource(
    async (signal) => {
      if (!department) return undefined;
      const answer = await api<{ items: DepartmentQueueItem[] }>(`/api/queues/department/${encodeURIComponent(department)}${query({ asOf, limit: 1000 })}`, { signal });
      markDataArrived('inbox');
      return answer;
    },
    [department, asOf, asOf ? 0 : position],
  );
  return (
    <section aria-labelledby="inbox-title">
      <div class="page-head">
        <h1 id="inbox-title">{t('inbox.title', { department: department ? departmentName(catalog, department) : '' })}</h1>
        <AsOfControl asOf={asOf} />
      </div>
      <AsOfBanner asOf={asOf} />
      {!session.user.department && (
        <div class="toolbar">
          <Select name="department" label={t('field.department')} value={department ?? ''} onChange={(d) => setParam('department', d)} options={departmentOptions(catalog)} />
        </div>
      )}
      <ProblemBanner error={queue.error} />
      {queue.data ? <InboxTable items={queue.data.items} asOf={asOf} /> : <Loading />}
    </section>
  );
}

function InboxTable({ items, asOf }: { items: DepartmentQueueItem[]; asOf?: string }) {
  const ticking = useNow();
  const now = asOf ? Date.parse(asOf) : ticking;
  const scroller = useRef<HTMLDivElement>(null);
  const { start, end, padTop, padBottom } = useVisibleRows(scroller, items.length, ROW_HEIGHT);
  useEffect(() => markRendered('inbox'), [items]);
  if (items.length === 0) return <p class="muted">{t('inbox.empty')}</p>;
  return (
    <>
      <p class="muted">{t('inbox.count', { n: items.length })}</p>
      <div class="table-wrap scroller" ref={scroller}>
        <table class="queue virtual" data-testid="inbox" aria-rowcount={items.length + 1}>
          <colgroup>
            <col style={{ width: '32%' }} />
            <col style={{ width: '10%' }} />
            <col style={{ width: '14%' }} />
            <col style={{ width: '6%' }} />
            <col style={{ width: '8%' }} />
            <col style={{ width: '16%' }} />
            <col style={{ width: '14%' }} />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">{t('wo.id')}</th>
              <th scope="col">{t('desk.col.flags')}</th>
              <th scope="col">{t('desk.col.category')}</th>
              <th scope="col">{t('desk.col.level')}</th>
              <th scope="col">{t('desk.branch')}</th>
              <th scope="col">{t('wo.received')}</th>
              <th scope="col">{t('wo.timeLeft')}</th>
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && <tr class="pad" style={{ height: `${padTop}px` }} aria-hidden="true" />}
            {items.slice(start, end).map((item, i) => {
              const seconds = Math.round((Date.parse(item.replyDueAt) - now) / 1000);
              const warning = warningOf(now, item.receivedAt, item.replyDueAt);
              const cls = seconds < 0 ? 'overdue' : (warning ?? '');
              return (
                <tr key={`${item.workOrderId}-${item.hop}`} class={cls} data-work-order={item.workOrderId} aria-rowindex={start + i + 2}>
                  <td>
                    <a href={href(`/work-orders/${encodeURIComponent(item.workOrderId)}`)}>{item.workOrderId}</a>
                  </td>
                  <td>
                    <Flags vip={item.vip} overdue={seconds < 0} />
                  </td>
                  <td>{label('category', item.category)}</td>
                  <td>{item.level}</td>
                  <td>{item.branch}</td>
                  <td>{dateTime(item.receivedAt)}</td>
                  <td class={`countdown ${cls}`} title={dateTime(item.replyDueAt)}>
                    {timeLeft(seconds)}
                  </td>
                </tr>
              );
            })}
            {padBottom > 0 && <tr class="pad" style={{ height: `${padBottom}px` }} aria-hidden="true" />}
          </tbody>
        </table>
      </div>
    </>
  );
}

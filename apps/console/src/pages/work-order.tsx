import { useState } from 'preact/hooks';
import { api } from '../api';
import { departmentName, departmentOptions, useCatalog } from '../catalog';
import { label, t } from '../i18n';
import { dateTime } from '../format';
import { useLive } from '../live';
import { useResource } from '../resource';
import { href } from '../router';
import type { Session } from '../session';
import type { Catalog, Complaint, HistoryEvent, WorkOrder } from '../types';
import { ActionBar, ActionSpec } from '../components/action-form';
import { Timeline } from '../components/timeline';
import { Countdown, Loading, Notice, ProblemBanner } from '../components/ui';

function workOrderActions(order: WorkOrder, session: Session, catalog: Catalog | undefined): ActionSpec[] {
  const open = order.status === 'dispatched' || order.status === 'accepted';
  const mine = session.user.role === 'admin' || session.user.department === order.department;
  if (!open || !mine || !['handler', 'admin'].includes(session.user.role)) return [];
  const path = `/api/work-orders/${encodeURIComponent(order.id)}`;
  const specs: ActionSpec[] = [];
  if (order.status === 'dispatched') specs.push({ id: 'accept', title: 'action.accept', path: `${path}/accept`, fields: [] });
  specs.push({
    id: 'reply',
    title: 'action.reply',
    path: `${path}/reply`,
    fields: [
      { name: 'opinion', label: 'field.opinion', kind: 'textarea', required: true },
      { name: 'resolved', label: 'field.resolved', kind: 'checkbox', initial: true },
    ],
  });
  specs.push({
    id: 'forward',
    title: 'action.forward',
    path: `${path}/forward`,
    fields: [
      { name: 'department', label: 'field.department', kind: 'select', required: true, options: departmentOptions(catalog).filter((d) => d.value !== order.department) },
      { name: 'reason', label: 'field.reason', kind: 'textarea', required: true },
    ],
  });
  return specs;
}

/** A work order as its department sees it: the complaint behind it, its clock, accept, reply, forward. */
export function WorkOrderPage({ id, session }: { id: string; session: Session }) {
  const { position } = useLive();
  const catalog = useCatalog();
  const [notice, setNotice] = useState<string>();
  const order = useResource((signal) => api<WorkOrder>(`/api/work-orders/${encodeURIComponent(id)}`, { signal }), [id, position]);
  const complaintId = order.data?.complaintId;
  const complaint = useResource((signal) => (complaintId ? api<Complaint>(`/api/complaints/${encodeURIComponent(complaintId)}`, { signal }) : Promise.resolve(undefined)), [complaintId, position]);
  const history = useResource(
    (signal) => (complaintId ? api<{ events: HistoryEvent[] }>(`/api/complaints/${encodeURIComponent(complaintId)}/history`, { signal }) : Promise.resolve(undefined)),
    [complaintId, position],
  );
  const w = order.data;
  if (!w) return order.error ? <ProblemBanner error={order.error} /> : <Loading />;
  const hop = w.hops[w.hops.length - 1];
  const open = w.status === 'dispatched' || w.status === 'accepted';
  const c = complaint.data;
  return (
    <article aria-labelledby="wo-title" data-status={w.status}>
      <div class="page-head">
        <h1 id="wo-title">{t('workorder.title', { id: w.id })}</h1>
        <span class="status-chip" data-testid="work-order-status">
          {label('woStatus', w.status)}
        </span>
        {open && hop && <Countdown dueAt={w.replyDueAt} startedAt={hop.startedAt} />}
      </div>
      {notice && <Notice>{notice}</Notice>}
      <div class="columns">
        <div class="main-col">
          <section class="card" aria-labelledby="wo-facts">
            <h2 id="wo-facts">{t('complaint.summary')}</h2>
            <dl class="facts">
              <dt>{t('wo.department')}</dt>
              <dd>{departmentName(catalog, w.department)}</dd>
              <dt>{t('wo.received')}</dt>
              <dd>{dateTime(hop?.startedAt ?? w.dispatchedAt)}</dd>
              <dt>{t('wo.replyDueAt')}</dt>
              <dd>{dateTime(w.replyDueAt)}</dd>
              <dt>{t('wo.complaint')}</dt>
              <dd>{w.complaintId}</dd>
              {c && (
                <>
                  <dt>{t('complaint.customer')}</dt>
                  <dd>
                    {c.customer.name ?? '—'} · {c.customer.msisdn}
                  </dd>
                  <dt>{t('complaint.category')}</dt>
                  <dd>
                    {label('category', c.category)}
                    {c.subcategory ? ` / ${c.subcategory}` : ''} · {t('complaint.level')} {c.level}
                  </dd>
                </>
              )}
              {w.note && (
                <>
                  <dt>{t('field.note')}</dt>
                  <dd>{w.note}</dd>
                </>
              )}
              {w.opinion && (
                <>
                  <dt>{t('wo.opinion')}</dt>
                  <dd>{w.opinion}</dd>
                </>
              )}
            </dl>
            {c && <p class="description">{c.description}</p>}
            {['agent', 'callcenter', 'supervisor', 'admin'].includes(session.user.role) && w.complaintId && <a href={href(`/complaints/${encodeURIComponent(w.complaintId)}`)}>{t('app.open')} {w.complaintId}</a>}
          </section>
          <section class="card" aria-labelledby="wo-actions">
            <h2 id="wo-actions">{t('complaint.actions')}</h2>
            <ActionBar
              specs={workOrderActions(w, session, catalog)}
              draftKey={w.id}
              onDone={() => {
                setNotice(t('action.done'));
                order.reload();
                history.reload();
              }}
            />
          </section>
        </div>
        <aside class="side-col card" aria-labelledby="wo-timeline">
          <h2 id="wo-timeline">{t('complaint.timeline')}</h2>
          {history.data ? <Timeline events={history.data.events.filter((e) => !e.data.workOrderId || e.data.workOrderId === w.id)} catalog={catalog} /> : <Loading />}
        </aside>
      </div>
    </article>
  );
}

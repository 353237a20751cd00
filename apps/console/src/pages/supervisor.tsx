import { api, query } from '../api';
import { departmentName, useCatalog } from '../catalog';
import { label, t } from '../i18n';
import { dateTime, duration, yuan } from '../format';
import { useLive } from '../live';
import { useResource } from '../resource';
import { href } from '../router';
import type { Session } from '../session';
import type { DeskQueueItem, OverdueQueue, RefundQueueItem } from '../types';
import { ActionBar } from '../components/action-form';
import { AsOfBanner, AsOfControl, Flags, Loading, ProblemBanner } from '../components/ui';

const complaintLink = (id: string) => <a href={href(`/complaints/${encodeURIComponent(id)}`)}>{id}</a>;

/** A supervisor's day: what is overdue, what was escalated to them, cash refunds waiting for approval. */
export function Supervisor({ session, asOf }: { session: Session; asOf?: string }) {
  const { position } = useLive();
  const catalog = useCatalog();
  const live = asOf ? 0 : position;
  const overdue = useResource((signal) => api<OverdueQueue>(`/api/queues/overdue${query({ asOf })}`, { signal }), [asOf, live]);
  const desk = useResource((signal) => api<{ items: DeskQueueItem[] }>(`/api/queues/desk${query({ asOf, limit: 1000 })}`, { signal }), [asOf, live]);
  const cash = useResource((signal) => api<{ items: RefundQueueItem[] }>(`/api/queues/refunds${query({ status: 'verified' })}`, { signal }), [live]);
  const escalated = (desk.data?.items ?? []).filter((i) => i.heldBy !== 'desk');
  const waiting = (cash.data?.items ?? []).filter((r) => !r.cashApproved);
  const o = overdue.data;
  return (
    <section aria-labelledby="sup-title">
      <div class="page-head">
        <h1 id="sup-title">
          {t('supervisor.title')}
          {session.user.branch ? ` · ${session.user.branch}` : ''}
        </h1>
        <AsOfControl asOf={asOf} />
      </div>
      <AsOfBanner asOf={asOf} />
      <ProblemBanner error={overdue.error ?? desk.error ?? cash.error} />
      <div class="grid-2">
        <section class="card" aria-labelledby="sup-overdue">
          <h2 id="sup-overdue">{t('supervisor.overdueComplaints')}</h2>
          {!o ? <Loading /> : <ComplaintList items={o.complaints} />}
        </section>
        <section class="card" aria-labelledby="sup-escalated">
          <h2 id="sup-escalated">{t('supervisor.escalated')}</h2>
          {!desk.data ? <Loading /> : <ComplaintList items={escalated} />}
        </section>
        <section class="card" aria-labelledby="sup-wo">
          <h2 id="sup-wo">{t('supervisor.overdueWorkOrders')}</h2>
          {!o ? (
            <Loading />
          ) : o.workOrders.length === 0 ? (
            <p class="muted">{t('app.none')}</p>
          ) : (
            <ul class="plain">
              {o.workOrders.map((w) => (
                <li key={`${w.workOrderId}-${w.hop}`} class="overdue">
                  {complaintLink(w.complaintId)} · {w.workOrderId} · {departmentName(catalog, w.department)} · {t('time.overdueBy', { t: duration(w.secondsLeft) })}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="card" aria-labelledby="sup-appeal">
          <h2 id="sup-appeal">{t('supervisor.appealRisk')}</h2>
          {!o ? <Loading /> : <ComplaintList items={o.appealRisk} />}
        </section>
        <section class="card" aria-labelledby="sup-refunds">
          <h2 id="sup-refunds">{t('supervisor.overdueRefunds')}</h2>
          {!o ? (
            <Loading />
          ) : o.refundVerifications.length === 0 ? (
            <p class="muted">{t('app.none')}</p>
          ) : (
            <ul class="plain">
              {o.refundVerifications.map((r) => (
                <li key={r.refundId} class="overdue">
                  {complaintLink(r.complaintId)} · {r.refundId} · {t('time.overdueBy', { t: duration(r.secondsOverdue) })}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="card" aria-labelledby="sup-cash">
          <h2 id="sup-cash">{t('supervisor.cashApprovals')}</h2>
          {!cash.data ? (
            <Loading />
          ) : waiting.length === 0 ? (
            <p class="muted">{t('supervisor.noCash')}</p>
          ) : (
            <ul class="plain">
              {waiting.map((r) => (
                <li key={r.refundId}>
                  {complaintLink(r.complaintId)} · {r.refundId} · {yuan(r.amount ?? r.amountClaimed)} · {dateTime(r.verifiedAt)}
                  {!asOf && (
                    <ActionBar
                      specs={[{ id: 'approve', title: 'action.approveCash', path: `/api/refunds/${encodeURIComponent(r.refundId)}/approve-cash`, fields: [] }]}
                      draftKey={r.refundId}
                      onDone={() => cash.reload()}
                    />
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </section>
  );
}

function ComplaintList({ items }: { items: DeskQueueItem[] }) {
  if (items.length === 0) return <p class="muted">{t('app.none')}</p>;
  return (
    <ul class="plain">
      {items.map((i) => (
        <li key={i.complaintId} class={i.overdue ? 'overdue' : ''}>
          {complaintLink(i.complaintId)} <Flags vip={i.vip} overdue={i.overdue} appealRisk={i.appealRisk} /> · {label('category', i.category)} · {label('tier', i.heldBy)} · {dateTime(i.dueAt)}
        </li>
      ))}
    </ul>
  );
}

import { useState } from 'preact/hooks';
import { api } from '../api';
import { departmentName, departmentOptions, useCatalog } from '../catalog';
import { label, t } from '../i18n';
import { dateTime, yuan } from '../format';
import { useLive } from '../live';
import { useResource } from '../resource';
import type { Role, Session } from '../session';
import type { Catalog, Complaint, HistoryEvent } from '../types';
import { ActionBar, ActionSpec } from '../components/action-form';
import { Timeline } from '../components/timeline';
import { Badge, Countdown, enumOptions, Flags, Loading, Notice, ProblemBanner } from '../components/ui';

const DESK: Role[] = ['agent', 'callcenter', 'supervisor', 'admin'];
const OPEN_STATUSES = ['registered', 'dispatched', 'in_progress', 'resolved', 'answered', 'satisfied'];
const LEVELS = ['', '1', '2', '3'];

const enc = encodeURIComponent;

/** The actions of API.md that the user's role may take on the complaint in its current state. */
export function complaintActions(c: Complaint, role: Role, catalog: Catalog | undefined): ActionSpec[] {
  const base = `/api/complaints/${enc(c.id)}`;
  const open = OPEN_STATUSES.includes(c.status);
  const desk = DESK.includes(role);
  const specs: ActionSpec[] = [];
  const departments = departmentOptions(catalog);
  const routed = catalog?.routing[c.category]?.[0];
  const methods = enumOptions('method', catalog?.contactMethods ?? ['phone', 'sms', 'letter', 'in_person']);
  if (desk && open) {
    specs.push({
      id: 'classify',
      title: 'action.classify',
      path: `${base}/classify`,
      fields: [
        { name: 'category', label: 'field.category', kind: 'select', options: enumOptions('category', catalog?.categories ?? [c.category]), initial: c.category },
        { name: 'subcategory', label: 'field.subcategory', kind: 'text', initial: c.subcategory ?? '' },
        { name: 'level', label: 'field.level', kind: 'select', options: LEVELS.map((l) => ({ value: l, label: l || '—' })) },
        { name: 'reason', label: 'field.reason', kind: 'text' },
      ],
    });
    if (['registered', 'in_progress'].includes(c.status) && role !== 'callcenter') {
      specs.push({ id: 'resolve', title: 'action.resolveOnSite', path: `${base}/resolve-on-site`, fields: [{ name: 'resolution', label: 'field.resolution', kind: 'textarea', required: true }] });
    }
    if (['registered', 'in_progress', 'dispatched'].includes(c.status)) {
      specs.push({
        id: 'dispatch',
        title: 'action.dispatch',
        path: `${base}/dispatch`,
        fields: [
          { name: 'department', label: 'field.department', kind: 'select', options: departments, required: true, initial: routed ?? departments[0]?.value },
          { name: 'note', label: 'field.note', kind: 'textarea' },
        ],
      });
    }
    specs.push({
      id: 'reply',
      title: 'action.customerReply',
      path: `${base}/customer-reply`,
      fields: [
        { name: 'method', label: 'field.method', kind: 'select', options: methods, required: true, initial: c.contact?.preferredMethod ?? 'phone' },
        { name: 'content', label: 'field.content', kind: 'textarea', required: true },
      ],
    });
    if (c.status === 'answered') {
      specs.push({
        id: 'satisfaction',
        title: 'action.satisfaction',
        path: `${base}/satisfaction`,
        fields: [
          { name: 'satisfied', label: 'field.satisfied', kind: 'checkbox', initial: true },
          { name: 'comment', label: 'field.comment', kind: 'text' },
        ],
      });
    }
    if (c.category === 'billing' && role !== 'supervisor') {
      specs.push({
        id: 'refund',
        title: 'action.refund',
        path: `${base}/refunds`,
        fields: [
          { name: 'amountClaimed', label: 'field.amountClaimed', kind: 'number', required: true },
          { name: 'reason', label: 'field.reason', kind: 'text' },
        ],
      });
    }
    specs.push({ id: 'escalate', title: 'action.escalate', path: `${base}/escalate`, fields: [{ name: 'reason', label: 'field.reason', kind: 'textarea', required: true }] });
    specs.push({ id: 'query', title: 'action.query', path: `${base}/queries`, fields: [
      { name: 'question', label: 'field.question', kind: 'textarea', required: true },
      { name: 'department', label: 'field.department', kind: 'select', options: [{ value: '', label: '—' }, ...departments] },
    ] });
    if (c.levelClock.pausedSince) specs.push({ id: 'resume', title: 'action.resume', path: `${base}/resume`, fields: [] });
    else specs.push({ id: 'pause', title: 'action.pause', path: `${base}/pause`, fields: [{ name: 'reason', label: 'field.reason', kind: 'text', required: true }] });
    if (c.status === 'satisfied') specs.push({ id: 'archive', title: 'action.archive', path: `${base}/archive`, fields: [], confirm: true });
  }
  if (desk) {
    for (const order of c.workOrders.filter((w) => w.status === 'replied')) {
      if (!open) break;
      specs.push({ id: `return-${order.id}`, title: 'action.return', path: `/api/work-orders/${enc(order.id)}/return`, fields: [{ name: 'reason', label: 'field.reason', kind: 'textarea', required: true }] });
    }
    for (const callback of c.callbacks.filter((cb) => cb.status === 'scheduled')) {
      specs.push({
        id: `callback-${callback.id}`,
        title: 'action.callback',
        path: `${base}/callbacks/${enc(callback.id)}/complete`,
        fields: [
          { name: 'outcome', label: 'field.outcome', kind: 'select', options: enumOptions('outcome', ['satisfied', 'unsatisfied', 'unreachable']), required: true },
          { name: 'notes', label: 'field.notes', kind: 'text' },
        ],
      });
    }
    for (const q of c.queries.filter((q) => !q.answeredAt)) {
      specs.push({ id: `answer-${q.id}`, title: 'action.answerQuery', path: `${base}/queries/${enc(q.id)}/answer`, fields: [{ name: 'answer', label: 'field.answer', kind: 'textarea', required: true }] });
    }
  }
  for (const refund of c.refunds) {
    const path = `/api/refunds/${enc(refund.id)}`;
    if (refund.status === 'requested' && (role === 'accounts' || role === 'admin')) {
      specs.push({
        id: `verify-${refund.id}`,
        title: 'action.verifyRefund',
        path: `${path}/verify`,
        fields: [
          { name: 'refundable', label: 'field.refundable', kind: 'checkbox', initial: true },
          { name: 'amount', label: 'field.amount', kind: 'number', initial: String(refund.amountClaimed) },
          { name: 'note', label: 'field.note', kind: 'text' },
        ],
      });
    }
    if (refund.status === 'verified' && !refund.cashApproved && (role === 'supervisor' || role === 'admin')) {
      specs.push({ id: `approve-${refund.id}`, title: 'action.approveCash', path: `${path}/approve-cash`, fields: [], confirm: true });
    }
    if (refund.status === 'verified' && (role === 'agent' || role === 'accounts' || role === 'admin')) {
      specs.push({
        id: `execute-${refund.id}`,
        title: 'action.executeRefund',
        path: `${path}/execute`,
        fields: [
          { name: 'method', label: 'field.method', kind: 'select', options: enumOptions('refundMethod', ['bill_credit', 'cash']), required: true },
          { name: 'formSigned', label: 'field.formSigned', kind: 'checkbox' },
          { name: 'idChecked', label: 'field.idChecked', kind: 'checkbox' },
        ],
      });
    }
  }
  return specs;
}

/**
 * A complaint: its summary, work orders, refunds, callbacks and queries, the
 * actions the user may take, and its whole history as a timeline. Updated
 * live: another desk's or a department's change shows without a reload.
 */
export function ComplaintPage({ id, session }: { id: string; session: Session }) {
  const { position } = useLive();
  const catalog = useCatalog();
  const [notice, setNotice] = useState<string>();
  const complaint = useResource((signal) => api<Complaint>(`/api/complaints/${enc(id)}`, { signal }), [id, position]);
  const history = useResource((signal) => api<{ events: HistoryEvent[] }>(`/api/complaints/${enc(id)}/history`, { signal }), [id, position]);
  const c = complaint.data;
  if (!c) return complaint.error ? <ProblemBanner error={complaint.error} /> : <Loading />;
  const specs = complaintActions(c, session.user.role, catalog);
  return (
    <article aria-labelledby="complaint-title" class="complaint" data-status={c.status} data-revision={c.revision}>
      <div class="page-head">
        <h1 id="complaint-title">{t('complaint.title', { id: c.id })}</h1>
        <span class="status-chip" data-testid="complaint-status">
          {label('status', c.status)}
        </span>
        <Flags vip={c.customer.vip} appealRisk={Date.parse(c.appealRiskAt) - 3 * 86_400_000 <= Date.now() && c.status !== 'archived'} appealRiskAt={c.appealRiskAt} />
        {c.status !== 'archived' && <Countdown dueAt={c.dueAt} startedAt={c.registeredAt} paused={!!c.levelClock.pausedSince} />}
      </div>
      {notice && <Notice>{notice}</Notice>}
      <ProblemBanner error={complaint.error} />
      <div class="columns">
        <div class="main-col">
          <section aria-labelledby="summary-title" class="card">
            <h2 id="summary-title">{t('complaint.summary')}</h2>
            <dl class="facts">
              <dt>{t('complaint.customer')}</dt>
              <dd>
                {c.customer.name ?? '—'} · {c.customer.msisdn} · {label('accountType', c.customer.accountType)}
                {c.customer.groupCustomer && <Badge kind="group">{t('flag.group')}</Badge>}
              </dd>
              <dt>{t('complaint.category')}</dt>
              <dd>
                {label('category', c.category)}
                {c.subcategory ? ` / ${c.subcategory}` : ''}
              </dd>
              <dt>{t('complaint.level')}</dt>
              <dd>
                {c.level}
                {c.levelRaisedBy && c.levelRaisedBy.length > 0 && ` (${t('complaint.levelRaised')}: ${c.levelRaisedBy.map((r) => label('raise', r)).join('、')})`}
              </dd>
              <dt>{t('complaint.channel')}</dt>
              <dd>{label('channel', c.channel)}</dd>
              <dt>{t('complaint.branch')}</dt>
              <dd>
                {c.branch}
                {c.hall ? ` · ${c.hall}` : ''}
              </dd>
              <dt>{t('complaint.heldBy')}</dt>
              <dd>{label('tier', c.heldBy)}</dd>
              <dt>{t('complaint.registeredAt')}</dt>
              <dd>{dateTime(c.registeredAt)}</dd>
              <dt>{t('complaint.dueAt')}</dt>
              <dd>{dateTime(c.dueAt)}</dd>
              <dt>{t('complaint.appealRiskAt')}</dt>
              <dd>{dateTime(c.appealRiskAt)}</dd>
              {c.contact && (
                <>
                  <dt>{t('complaint.contact')}</dt>
                  <dd>
                    {c.contact.phone ?? '—'} · {label('method', c.contact.preferredMethod)}
                  </dd>
                </>
              )}
              {c.satisfaction && (
                <>
                  <dt>{t('complaint.satisfaction')}</dt>
                  <dd>
                    {c.satisfaction.satisfied ? t('outcome.satisfied') : t('outcome.unsatisfied')}
                    {c.satisfaction.comment ? ` · ${c.satisfaction.comment}` : ''}
                  </dd>
                </>
              )}
            </dl>
            <p class="description">{c.description}</p>
            {c.resolution && <p class="resolution">{c.resolution.text}</p>}
          </section>

          <section aria-labelledby="actions-title" class="card">
            <h2 id="actions-title">{t('complaint.actions')}</h2>
            <ActionBar
              specs={specs}
              draftKey={c.id}
              onDone={() => {
                setNotice(t('action.done'));
                complaint.reload();
                history.reload();
              }}
            />
          </section>

          <WorkOrders complaint={c} catalog={catalog} />
          <Refunds complaint={c} />
          <Others complaint={c} catalog={catalog} />
        </div>
        <aside class="side-col card" aria-labelledby="timeline-title">
          <h2 id="timeline-title">{t('complaint.timeline')}</h2>
          {history.data ? <Timeline events={history.data.events} catalog={catalog} /> : <Loading />}
        </aside>
      </div>
    </article>
  );
}

function WorkOrders({ complaint, catalog }: { complaint: Complaint; catalog?: Catalog }) {
  if (complaint.workOrders.length === 0) return null;
  return (
    <section aria-labelledby="wo-title" class="card">
      <h2 id="wo-title">{t('complaint.workOrders')}</h2>
      <table class="compact" data-testid="work-orders">
        <thead>
          <tr>
            <th scope="col">{t('wo.id')}</th>
            <th scope="col">{t('wo.department')}</th>
            <th scope="col">{t('wo.status')}</th>
            <th scope="col">{t('wo.timeLeft')}</th>
            <th scope="col">{t('wo.opinion')}</th>
          </tr>
        </thead>
        <tbody>
          {complaint.workOrders.map((w) => {
            const hop = w.hops[w.hops.length - 1];
            const open = w.status === 'dispatched' || w.status === 'accepted';
            return (
              <tr key={w.id} data-work-order={w.id} data-status={w.status}>
                <td>{w.id}</td>
                <td>{departmentName(catalog, w.department)}</td>
                <td>{label('woStatus', w.status)}</td>
                <td>{open && hop ? <Countdown dueAt={w.replyDueAt} startedAt={hop.startedAt} /> : dateTime(w.repliedAt ?? w.returnedAt)}</td>
                <td>
                  {w.opinion ?? w.returnReason ?? '—'}
                  {w.resolved !== undefined && ` (${t('wo.resolved')}: ${w.resolved ? t('app.yes') : t('app.no')})`}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function Refunds({ complaint }: { complaint: Complaint }) {
  if (complaint.refunds.length === 0) return null;
  return (
    <section aria-labelledby="refunds-title" class="card">
      <h2 id="refunds-title">{t('complaint.refunds')}</h2>
      <table class="compact">
        <thead>
          <tr>
            <th scope="col">{t('refund.id')}</th>
            <th scope="col">{t('refund.status')}</th>
            <th scope="col">{t('refund.amountClaimed')}</th>
            <th scope="col">{t('refund.amount')}</th>
            <th scope="col">{t('refund.verifyDueAt')}</th>
            <th scope="col">{t('refund.method')}</th>
          </tr>
        </thead>
        <tbody>
          {complaint.refunds.map((r) => (
            <tr key={r.id}>
              <td>{r.id}</td>
              <td>
                {label('refundStatus', r.status)}
                {r.cashApproved && <Badge kind="ok">{t('refund.cashApproved')}</Badge>}
              </td>
              <td>{yuan(r.amountClaimed)}</td>
              <td>{yuan(r.amount)}</td>
              <td>{r.status === 'requested' ? <Countdown dueAt={r.verifyDueAt} startedAt={r.requestedAt} /> : dateTime(r.verifiedAt)}</td>
              <td>{label('refundMethod', r.method)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Others({ complaint: c, catalog }: { complaint: Complaint; catalog?: Catalog }) {
  return (
    <>
      {c.customerReplies.length > 0 && (
        <section class="card" aria-labelledby="replies-title">
          <h2 id="replies-title">{t('complaint.replies')}</h2>
          <ul class="plain">
            {c.customerReplies.map((r, i) => (
              <li key={i}>
                {dateTime(r.repliedAt)} · {label('method', r.method)} · {r.content}
              </li>
            ))}
          </ul>
        </section>
      )}
      {c.escalations.length > 0 && (
        <section class="card" aria-labelledby="esc-title">
          <h2 id="esc-title">{t('complaint.escalations')}</h2>
          <ul class="plain">
            {c.escalations.map((e, i) => (
              <li key={i}>
                {dateTime(e.escalatedAt)} · {label('tier', e.from)} → {label('tier', e.to)} · {label('trigger', e.trigger)} · {e.reason}
              </li>
            ))}
          </ul>
        </section>
      )}
      {c.callbacks.length > 0 && (
        <section class="card" aria-labelledby="cb-title">
          <h2 id="cb-title">{t('complaint.callbacks')}</h2>
          <ul class="plain">
            {c.callbacks.map((cb) => (
              <li key={cb.id}>
                {cb.id} · {cb.status === 'scheduled' ? <Countdown dueAt={cb.dueAt} startedAt={c.archivedAt ?? c.registeredAt} /> : label('outcome', cb.outcome)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {c.queries.length > 0 && (
        <section class="card" aria-labelledby="q-title">
          <h2 id="q-title">{t('complaint.queries')}</h2>
          <ul class="plain">
            {c.queries.map((q) => (
              <li key={q.id}>
                {q.question}
                {q.department ? ` → ${departmentName(catalog, q.department)}` : ''} · {q.answeredAt ? q.answer : <Countdown dueAt={q.answerDueAt} startedAt={q.recordedAt} />}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

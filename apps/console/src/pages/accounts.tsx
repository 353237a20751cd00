import { api, query } from '../api';
import { t } from '../i18n';
import { dateTime, yuan } from '../format';
import { useLive } from '../live';
import { useResource } from '../resource';
import { href } from '../router';
import type { Session } from '../session';
import type { RefundQueueItem } from '../types';
import { Countdown, Loading, ProblemBanner } from '../components/ui';

/** The accounts room: refunds to verify within their ten minutes, and verified ones to execute. */
export function Accounts({ session }: { session: Session }) {
  const { position } = useLive();
  const requested = useResource((signal) => api<{ items: RefundQueueItem[] }>(`/api/queues/refunds${query({ status: 'requested' })}`, { signal }), [position]);
  const verified = useResource((signal) => api<{ items: RefundQueueItem[] }>(`/api/queues/refunds${query({ status: 'verified' })}`, { signal }), [position]);
  return (
    <section aria-labelledby="refunds-title">
      <div class="page-head">
        <h1 id="refunds-title">
          {t('refunds.title')}
          {session.user.branch ? ` · ${session.user.branch}` : ''}
        </h1>
      </div>
      <ProblemBanner error={requested.error ?? verified.error} />
      <div class="grid-2">
        <section class="card" aria-labelledby="to-verify">
          <h2 id="to-verify">{t('refunds.toVerify')}</h2>
          {requested.data ? <RefundTable items={requested.data.items} clock /> : <Loading />}
        </section>
        <section class="card" aria-labelledby="to-execute">
          <h2 id="to-execute">{t('refunds.toExecute')}</h2>
          {verified.data ? <RefundTable items={verified.data.items} /> : <Loading />}
        </section>
      </div>
    </section>
  );
}

function RefundTable({ items, clock }: { items: RefundQueueItem[]; clock?: boolean }) {
  if (items.length === 0) return <p class="muted">{t('refunds.empty')}</p>;
  return (
    <table class="compact">
      <thead>
        <tr>
          <th scope="col">{t('refund.id')}</th>
          <th scope="col">{t('refund.amountClaimed')}</th>
          <th scope="col">{t('refund.amount')}</th>
          <th scope="col">{clock ? t('refund.verifyDueAt') : t('refund.cashApproved')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((r) => (
          <tr key={r.refundId}>
            <td>
              <a href={href(`/complaints/${encodeURIComponent(r.complaintId)}`)}>{r.refundId}</a>
            </td>
            <td>{yuan(r.amountClaimed)}</td>
            <td>{yuan(r.amount)}</td>
            <td>{clock ? <Countdown dueAt={r.verifyDueAt} startedAt={r.requestedAt} /> : r.cashApproved ? t('app.yes') : `${t('app.no')} · ${dateTime(r.verifiedAt)}`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

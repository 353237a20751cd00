import { useState } from 'preact/hooks';
import { api } from '../api';
import { label, t } from '../i18n';
import { dateTime } from '../format';
import { useLive } from '../live';
import { useResource } from '../resource';
import { href } from '../router';
import type { Session } from '../session';
import type { Handover as HandoverView } from '../types';
import { ActionBar, ActionForm } from '../components/action-form';
import { Loading, Notice, ProblemBanner } from '../components/ui';

/** 交接班: hand one's open items to the incoming agent, and acknowledge what was handed to oneself. */
export function Handover({ session }: { session: Session }) {
  const { position } = useLive();
  const [notice, setNotice] = useState<string>();
  const [formKey, setFormKey] = useState(0);
  const [given, setGiven] = useState<HandoverView[]>([]);
  const incoming = useResource((signal) => api<{ items: HandoverView[] }>('/api/handovers', { signal }), [position]);
  return (
    <section aria-labelledby="ho-title">
      <div class="page-head">
        <h1 id="ho-title">{t('handover.title')}</h1>
      </div>
      {notice && <Notice>{notice}</Notice>}
      <div class="grid-2">
        <section class="card" aria-labelledby="ho-give">
          <h2 id="ho-give">{t('handover.give')}</h2>
          <p class="muted">{t('handover.giveHint')}</p>
          <ActionForm
            key={formKey}
            spec={{
              id: 'handover',
              title: 'handover.submit',
              path: '/api/handovers',
              fields: [
                { name: 'toAgent', label: 'field.toAgent', kind: 'text', required: true },
                { name: 'note', label: 'field.note', kind: 'textarea' },
              ],
            }}
            draftKey={session.user.username}
            onCancel={() => setFormKey((k) => k + 1)}
            onDone={(result) => {
              const h = result as HandoverView;
              setNotice(t('handover.recorded', { n: h.items.length, to: h.toAgent }));
              setFormKey((k) => k + 1);
              setGiven([h, ...given]);
            }}
          />
        </section>
        <section class="card" aria-labelledby="ho-in">
          <h2 id="ho-in">{t('handover.incoming')}</h2>
          <ProblemBanner error={incoming.error} />
          {!incoming.data ? (
            <Loading />
          ) : (
            <HandoverList
              items={incoming.data.items}
              acknowledge
              onDone={() => {
                setNotice(t('action.done'));
                incoming.reload();
              }}
            />
          )}
        </section>
      </div>
      {given.length > 0 && (
        <section class="card" aria-labelledby="ho-out">
          <h2 id="ho-out">{t('handover.outgoing')}</h2>
          <HandoverList items={given} />
        </section>
      )}
    </section>
  );
}

function HandoverList({ items, acknowledge, onDone }: { items: HandoverView[]; acknowledge?: boolean; onDone?: () => void }) {
  if (items.length === 0) return <p class="muted">{t('handover.none')}</p>;
  return (
    <ul class="plain handovers">
      {items.map((h) => (
        <li key={h.id} data-handover={h.id}>
          <strong>{h.id}</strong> · {t('handover.from')} {h.fromAgent} → {t('handover.to')} {h.toAgent} · {dateTime(h.handedOverAt)} ·{' '}
          {t(h.status === 'pending' ? 'handover.status.pending' : 'handover.status.acknowledged')}
          {h.note && <p>{h.note}</p>}
          <p class="small">
            {t('handover.items')}:{' '}
            {h.items.length === 0
              ? t('app.none')
              : h.items.map((i, n) => (
                  <span key={i.complaintId}>
                    {n > 0 && '、'}
                    <a href={href(`/complaints/${encodeURIComponent(i.complaintId)}`)}>{i.complaintId}</a> ({label('status', i.status)})
                  </span>
                ))}
          </p>
          {acknowledge && h.status === 'pending' && (
            <ActionBar specs={[{ id: 'ack', title: 'handover.acknowledge', path: `/api/handovers/${encodeURIComponent(h.id)}/acknowledge`, fields: [] }]} draftKey={h.id} onDone={() => onDone?.()} />
          )}
        </li>
      ))}
    </ul>
  );
}

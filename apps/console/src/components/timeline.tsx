import { departmentName } from '../catalog';
import { has, label, MessageKey, t } from '../i18n';
import { dateTime, yuan } from '../format';
import type { Catalog, HistoryEvent } from '../types';

/** Fields of an event's data worth a line in the timeline, in this order; the rest (ids, derived times) stay out. */
const SHOWN: { key: string; kind?: string; fen?: boolean }[] = [
  { key: 'category', kind: 'category' },
  { key: 'subcategory' },
  { key: 'level' },
  { key: 'department', kind: 'department' },
  { key: 'from', kind: 'tier' },
  { key: 'to', kind: 'tier' },
  { key: 'trigger', kind: 'trigger' },
  { key: 'method', kind: 'method' },
  { key: 'outcome', kind: 'outcome' },
  { key: 'satisfied' },
  { key: 'resolved' },
  { key: 'refundable' },
  { key: 'amountClaimedFen', fen: true },
  { key: 'amountFen', fen: true },
  { key: 'description' },
  { key: 'resolution' },
  { key: 'opinion' },
  { key: 'content' },
  { key: 'reason' },
  { key: 'note' },
  { key: 'notes' },
  { key: 'comment' },
  { key: 'question' },
  { key: 'answer' },
  { key: 'mark' },
  { key: 'clock' },
];

/** a field's name as the forms call it (field.resolved → 问题已解决), else the API's */
function fieldName(key: string): string {
  const message = `field.${key}`;
  return has(message) ? t(message as MessageKey) : key;
}

function describe(data: Record<string, unknown>, catalog?: Catalog): string[] {
  const lines: string[] = [];
  for (const { key, kind, fen } of SHOWN) {
    const value = data[key];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'boolean') lines.push(`${fieldName(key)}: ${value ? t('app.yes') : t('app.no')}`);
    else if (fen && typeof value === 'number') lines.push(`${fieldName(key.replace(/Fen$/, ''))}: ${yuan(value / 100)}`);
    else if (kind === 'department') lines.push(departmentName(catalog, String(value)));
    else if (key === 'level') lines.push(`${t('complaint.level')} ${String(value)}`);
    else if (kind) lines.push(label(kind, String(value)));
    else if (typeof value === 'string' || typeof value === 'number') lines.push(String(value));
  }
  const customer = data.customer as { msisdn?: string; name?: string } | undefined;
  if (customer?.msisdn) lines.unshift(`${customer.name ?? ''} ${customer.msisdn}`.trim());
  return lines;
}

/** The whole history of the complaint and its work orders, oldest first: what happened, when, by whom. */
export function Timeline({ events, catalog }: { events: HistoryEvent[]; catalog?: Catalog }) {
  return (
    <ol class="timeline" data-testid="timeline">
      {events.map((e) => {
        const key = `event.${e.type}`;
        const system = !e.actor || e.actor.startsWith('system');
        return (
          <li key={e.id} class={`event ${system ? 'system' : ''} ${/Overdue|Escalated|Risk/.test(e.type) ? 'alert' : ''}`} data-type={e.type}>
            <time dateTime={e.time}>{dateTime(e.time)}</time>
            <div>
              <strong>{has(key) ? t(key as MessageKey) : e.type}</strong>
              {e.actor && <span class="muted"> · {e.actor}</span>}
              {describe(e.data, catalog).map((line, i) => (
                <p key={i} class="event-line">
                  {line}
                </p>
              ))}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

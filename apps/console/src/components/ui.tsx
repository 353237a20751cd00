import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { has, label, MessageKey, t } from '../i18n';
import { dateTime, timeLeft, warningOf } from '../format';
import { useNow } from '../live';
import { setParam } from '../router';

let nextId = 0;
/** a stable id per component instance, to tie labels and messages to their inputs */
function useId(prefix: string): string {
  const [id] = useState(() => `${prefix}-${++nextId}`);
  return id;
}

/**
 * A server message shown beside its field, with a Chinese gloss where the
 * console knows the field: the server speaks English, a desk agent reads both.
 */
function FieldMessage({ id, field, message }: { id: string; field: string; message?: string }) {
  if (!message) return null;
  const gloss = `fieldError.${field}`;
  return (
    <p class="field-error" id={id} role="alert">
      {has(gloss) && <span class="gloss">{t(gloss as MessageKey)} · </span>}
      {message}
    </p>
  );
}

interface FieldProps {
  /** the API's name of the field, e.g. customer.msisdn: its message lands here */
  name: string;
  label: string;
  errors?: Record<string, string>;
  required?: boolean;
  hint?: string;
}

type InputProps = FieldProps & {
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'password' | 'date' | 'tel';
  inputMode?: 'numeric' | 'decimal' | 'tel' | 'text';
  autoFocus?: boolean;
  autoComplete?: string;
  readOnly?: boolean;
  size?: number;
};

export function TextField({ name, label: text, errors, required, hint, value, onInput, type = 'text', inputMode, autoFocus, autoComplete, readOnly, size }: InputProps) {
  const id = useId('f');
  const error = errors?.[name];
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>
        {text}
        {required && <span class="req" aria-hidden="true"> *</span>}
      </label>
      <input
        id={id}
        name={name}
        value={value}
        required={required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
        // preact's types pair each input type with its own attributes; ours are common to all four
        type={type as 'text'}
        inputMode={inputMode}
        autoFocus={autoFocus}
        autoComplete={autoComplete}
        readOnly={readOnly}
        size={size}
      />
      {hint && !error && <p class="hint">{hint}</p>}
      <FieldMessage id={`${id}-error`} field={name} message={error} />
    </div>
  );
}

export function TextArea({ name, label: text, errors, required, value, onInput, rows = 3 }: FieldProps & { value: string; onInput: (value: string) => void; rows?: number }) {
  const id = useId('f');
  const error = errors?.[name];
  return (
    <div class={`field wide${error ? ' invalid' : ''}`}>
      <label for={id}>
        {text}
        {required && <span class="req" aria-hidden="true"> *</span>}
      </label>
      <textarea
        id={id}
        name={name}
        rows={rows}
        value={value}
        required={required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onInput={(e) => onInput((e.currentTarget as HTMLTextAreaElement).value)}
      />
      <FieldMessage id={`${id}-error`} field={name} message={error} />
    </div>
  );
}

export function Select({
  name,
  label: text,
  errors,
  required,
  value,
  onChange,
  options,
}: FieldProps & { value: string; onChange: (value: string) => void; options: { value: string; label: string }[] }) {
  const id = useId('f');
  const error = errors?.[name];
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>
        {text}
        {required && <span class="req" aria-hidden="true"> *</span>}
      </label>
      <select
        id={id}
        name={name}
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}
      >
        {options.map((o) => (
          <option value={o.value} key={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldMessage id={`${id}-error`} field={name} message={error} />
    </div>
  );
}

export function Checkbox({ name, label: text, errors, checked, onChange }: FieldProps & { checked: boolean; onChange: (checked: boolean) => void }) {
  const id = useId('f');
  const error = errors?.[name];
  return (
    <div class={`field check${error ? ' invalid' : ''}`}>
      <input id={id} type="checkbox" name={name} checked={checked} onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)} />
      <label for={id}>{text}</label>
      <FieldMessage id={`${id}-error`} field={name} message={error} />
    </div>
  );
}

/** The refusal of a request, as the server put it (its `detail` says why), unless every part of it is shown beside a field. */
export function ProblemBanner({ error }: { error?: ApiError | null }) {
  if (!error) return null;
  return (
    <div class="banner error" role="alert">
      <strong>{error.status ? `${error.status} ${error.problem.title}` : t('app.error')}</strong>
      {error.problem.detail && <span> — {error.problem.detail}</span>}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div class="banner ok" role="status">
      {children}
    </div>
  );
}

export function Loading() {
  return (
    <p class="muted" aria-live="polite">
      {t('app.loading')}
    </p>
  );
}

/**
 * Time left to a due instant, ticking every second in the browser; red when
 * past, amber from half the span, darker amber from 80%. `at` (asOf) freezes
 * it at a past instant.
 */
export function Countdown({ dueAt, startedAt, at, paused }: { dueAt: string; startedAt: string; at?: string; paused?: boolean }) {
  const ticking = useNow();
  const now = at ? Date.parse(at) : ticking;
  const seconds = Math.round((Date.parse(dueAt) - now) / 1000);
  const warning = warningOf(now, startedAt, dueAt);
  const cls = seconds < 0 ? 'countdown overdue' : warning ? `countdown ${warning}` : 'countdown';
  return (
    <span class={cls} title={dateTime(dueAt)}>
      {paused ? `${t('complaint.clockPaused')} · ` : ''}
      {timeLeft(seconds)}
    </span>
  );
}

export function Badge({ kind, children, title }: { kind: string; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge ${kind}`} title={title}>
      {children}
    </span>
  );
}

/** VIP, overdue, appeal risk: what makes an item urgent, as marks beside it. */
export function Flags({ vip, overdue, appealRisk, appealRiskAt }: { vip?: boolean; overdue?: boolean; appealRisk?: boolean; appealRiskAt?: string }) {
  return (
    <span class="flags">
      {vip && <Badge kind="vip">{t('flag.vip')}</Badge>}
      {overdue && <Badge kind="overdue">{t('flag.overdue')}</Badge>}
      {appealRisk && (
        <Badge kind="appeal" title={appealRiskAt ? dateTime(appealRiskAt) : undefined}>
          {t('flag.appealRisk')}
        </Badge>
      )}
    </span>
  );
}

/** A past instant to see a queue or chart as it stood then (asOf); kept in the route, so it can be bookmarked. */
export function AsOfControl({ asOf }: { asOf?: string }) {
  const [value, setValue] = useState(() => (asOf ? toLocalInput(asOf) : ''));
  const id = useId('asof');
  return (
    <form
      class="asof"
      onSubmit={(e) => {
        e.preventDefault();
        setParam('asOf', value ? fromLocalInput(value) : undefined);
      }}
    >
      <label for={id}>{t('asOf.label')}</label>
      <input id={id} type="datetime-local" step={1} value={value} onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} />
      <button type="submit">{t('asOf.apply')}</button>
      {asOf && (
        <button
          type="button"
          onClick={() => {
            setValue('');
            setParam('asOf', undefined);
          }}
        >
          {t('asOf.clear')}
        </button>
      )}
    </form>
  );
}

export function AsOfBanner({ asOf }: { asOf?: string }) {
  if (!asOf) return null;
  return <div class="banner asof-banner">{t('asOf.showing', { at: dateTime(asOf) })}</div>;
}

/** datetime-local speaks China Standard Time here, like every time the console shows */
function toLocalInput(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19);
}

function fromLocalInput(value: string): string {
  const withSeconds = value.length === 16 ? `${value}:00` : value;
  return `${withSeconds}+08:00`;
}

export function enumOptions(kind: string, values: readonly string[], empty?: string): { value: string; label: string }[] {
  return [...(empty !== undefined ? [{ value: '', label: empty }] : []), ...values.map((v) => ({ value: v, label: label(kind, v) }))];
}

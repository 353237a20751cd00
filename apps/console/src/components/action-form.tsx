import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, newKey } from '../api';
import { useDraft } from '../drafts';
import { MessageKey, t } from '../i18n';
import { Checkbox, ProblemBanner, Select, TextArea, TextField } from './ui';

export interface FieldSpec {
  /** the API's field name: the server's message about it is shown beside it */
  name: string;
  label: MessageKey;
  kind: 'text' | 'textarea' | 'select' | 'checkbox' | 'number';
  options?: { value: string; label: string }[];
  required?: boolean;
  initial?: string | boolean;
}

export interface ActionSpec {
  /** unique on the page; also the key of the draft */
  id: string;
  title: MessageKey;
  path: string;
  fields: FieldSpec[];
  /** a one-click action (no fields) still asks to confirm when true */
  confirm?: boolean;
}

type Values = Record<string, string | boolean>;

function initialValues(spec: ActionSpec): Values {
  const values: Values = {};
  for (const f of spec.fields) values[f.name] = f.initial ?? (f.kind === 'checkbox' ? false : f.kind === 'select' ? (f.options?.[0]?.value ?? '') : '');
  return values;
}

/** Form values as the API's JSON: empty optional text left out, numbers as numbers (or as typed, for the server to refuse by name). */
function bodyOf(spec: ActionSpec, values: Values): Record<string, unknown> | undefined {
  if (spec.fields.length === 0) return undefined;
  const body: Record<string, unknown> = {};
  for (const f of spec.fields) {
    const value = values[f.name];
    if (f.kind === 'checkbox') body[f.name] = value === true;
    else if (typeof value === 'string' && value.trim() === '' && !f.required) continue;
    else if (f.kind === 'number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) body[f.name] = Number(value);
    else body[f.name] = value;
  }
  return body;
}

/**
 * One command of API.md as a small form: its fields, the server's message for
 * each beside it, a draft kept in the tab (an expired session loses nothing),
 * and an Idempotency-Key per attempt so a retry never acts twice.
 */
export function ActionForm({ spec, draftKey, onDone, onCancel }: { spec: ActionSpec; draftKey: string; onDone: (result: unknown) => void; onCancel: () => void }) {
  const [values, update, clear] = useDraft<Values & { __key: string }>(`action:${draftKey}:${spec.id}`, () => ({ ...initialValues(spec), __key: newKey() }));
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const errors = error?.status === 400 ? error.fieldErrors() : undefined;

  useEffect(() => {
    (formRef.current?.querySelector('input, textarea, select, button[type="submit"]') as HTMLElement | null)?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await api<unknown>(spec.path, { method: 'POST', body: bodyOf(spec, values) ?? {}, idempotencyKey: values.__key as string });
      clear();
      onDone(result);
    } catch (e) {
      if (e instanceof ApiError) setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      ref={formRef}
      class="action-form"
      onSubmit={submit}
      noValidate
      aria-label={t(spec.title)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <h3>{t(spec.title)}</h3>
      {error && (error.status !== 400 || !(error.problem.errors ?? []).every((e) => spec.fields.some((f) => f.name === e.field))) && <ProblemBanner error={error} />}
      <div class="grid">
        {spec.fields.map((f) => {
          const value = values[f.name];
          switch (f.kind) {
            case 'textarea':
              return <TextArea key={f.name} name={f.name} label={t(f.label)} value={String(value ?? '')} onInput={(v) => update({ [f.name]: v })} errors={errors} required={f.required} />;
            case 'select':
              return <Select key={f.name} name={f.name} label={t(f.label)} value={String(value ?? '')} onChange={(v) => update({ [f.name]: v })} errors={errors} required={f.required} options={f.options ?? []} />;
            case 'checkbox':
              return <Checkbox key={f.name} name={f.name} label={t(f.label)} checked={value === true} onChange={(v) => update({ [f.name]: v })} errors={errors} />;
            default:
              return (
                <TextField
                  key={f.name}
                  name={f.name}
                  label={t(f.label)}
                  value={String(value ?? '')}
                  onInput={(v) => update({ [f.name]: v })}
                  errors={errors}
                  required={f.required}
                  inputMode={f.kind === 'number' ? 'decimal' : undefined}
                />
              );
          }
        })}
      </div>
      <div class="actions-row">
        <button type="submit" class="primary" disabled={busy}>
          {t(spec.title)}
        </button>
        <button type="button" onClick={onCancel}>
          {t('app.cancel')}
        </button>
      </div>
    </form>
  );
}

/** A row of buttons, one per action; the chosen one opens its form below. */
export function ActionBar({ specs, draftKey, onDone }: { specs: ActionSpec[]; draftKey: string; onDone: (spec: ActionSpec, result: unknown) => void }) {
  const [open, setOpen] = useState<string>();
  const chosen = specs.find((s) => s.id === open);
  if (specs.length === 0) return <p class="muted">{t('complaint.noActions')}</p>;
  return (
    <div class="action-bar">
      <div class="buttons" role="toolbar" aria-label={t('complaint.actions')}>
        {specs.map((spec) => (
          <button key={spec.id} type="button" aria-expanded={open === spec.id} onClick={() => setOpen(open === spec.id ? undefined : spec.id)} data-action={spec.id}>
            {t(spec.title)}
          </button>
        ))}
      </div>
      {chosen && (
        <ActionForm
          key={chosen.id}
          spec={chosen}
          draftKey={draftKey}
          onCancel={() => setOpen(undefined)}
          onDone={(result) => {
            setOpen(undefined);
            onDone(chosen, result);
          }}
        />
      )}
    </div>
  );
}

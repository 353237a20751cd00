import { useState } from 'preact/hooks';
import { api, ApiError, newKey } from '../api';
import { useCatalog } from '../catalog';
import { useDraft } from '../drafts';
import { t } from '../i18n';
import { navigate } from '../router';
import type { Session } from '../session';
import type { Complaint } from '../types';
import { Checkbox, enumOptions, ProblemBanner, Select, TextArea, TextField } from '../components/ui';

interface RegisterDraft {
  channel: string;
  msisdn: string;
  name: string;
  vip: boolean;
  groupCustomer: boolean;
  accountType: string;
  branch: string;
  hall: string;
  category: string;
  subcategory: string;
  description: string;
  phone: string;
  preferredMethod: string;
  externalRef: string;
  /** one per complaint: a retry after a lost answer registers it once */
  idempotencyKey: string;
}

const optional = (value: string) => (value.trim() === '' ? undefined : value.trim());

/**
 * 受理: the registration form. Nothing is checked in the browser: the server's
 * validation is the one set of rules, and each of its messages is shown
 * beside its field. What is typed is kept as a draft in the tab.
 */
export function Register({ session }: { session: Session }) {
  const catalog = useCatalog();
  const [draft, update, clear] = useDraft<RegisterDraft>('register', () => ({
    channel: session.user.role === 'callcenter' ? '10086' : 'business_hall',
    msisdn: '',
    name: '',
    vip: false,
    groupCustomer: false,
    accountType: 'personal',
    branch: session.user.branch ?? '',
    hall: '',
    category: 'billing',
    subcategory: '',
    description: '',
    phone: '',
    preferredMethod: 'phone',
    externalRef: '',
    idempotencyKey: newKey(),
  }));
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const errors = error?.status === 400 ? error.fieldErrors() : undefined;

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const complaint = await api<Complaint>('/api/complaints', {
        method: 'POST',
        idempotencyKey: draft.idempotencyKey,
        body: {
          channel: draft.channel,
          externalRef: optional(draft.externalRef),
          customer: { msisdn: draft.msisdn.trim(), name: optional(draft.name), vip: draft.vip, groupCustomer: draft.groupCustomer, accountType: draft.accountType },
          branch: draft.branch.trim(),
          hall: optional(draft.hall),
          category: draft.category,
          subcategory: optional(draft.subcategory),
          description: draft.description,
          contact: optional(draft.phone) || draft.preferredMethod ? { phone: optional(draft.phone), preferredMethod: draft.preferredMethod || undefined } : undefined,
        },
      });
      clear();
      navigate(`/complaints/${encodeURIComponent(complaint.id)}`);
    } catch (e) {
      if (e instanceof ApiError) {
        setError(e);
        // the first invalid field gets the focus, so the keyboard user lands on what to fix
        setTimeout(() => (document.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus(), 0);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="register-title">
      <div class="page-head">
        <h1 id="register-title">{t('register.title')}</h1>
        <p class="muted small">{t('register.draftKept')}</p>
      </div>
      {error && error.status === 400 && (
        <div class="banner error" role="alert">
          {t('register.invalid')} {(error.problem.errors ?? []).filter((e) => !FORM_FIELDS.includes(e.field)).map((e) => `${e.field}: ${e.message}`).join('; ')}
        </div>
      )}
      {error && error.status !== 400 && <ProblemBanner error={error} />}
      <form class="form" onSubmit={submit} noValidate>
        <fieldset>
          <legend>{t('register.customer')}</legend>
          <div class="grid">
            <TextField name="customer.msisdn" label={t('register.msisdn')} value={draft.msisdn} onInput={(msisdn) => update({ msisdn })} errors={errors} required inputMode="numeric" autoFocus />
            <TextField name="customer.name" label={t('register.name')} value={draft.name} onInput={(name) => update({ name })} errors={errors} />
            <Select name="customer.accountType" label={t('register.accountType')} value={draft.accountType} onChange={(accountType) => update({ accountType })} errors={errors} options={enumOptions('accountType', catalog?.accountTypes ?? ['personal', 'corporate'])} />
            <div class="checks">
              <Checkbox name="customer.vip" label={t('register.vip')} checked={draft.vip} onChange={(vip) => update({ vip })} errors={errors} />
              <Checkbox name="customer.groupCustomer" label={t('register.group')} checked={draft.groupCustomer} onChange={(groupCustomer) => update({ groupCustomer })} errors={errors} />
            </div>
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('register.complaint')}</legend>
          <div class="grid">
            <Select name="channel" label={t('register.channel')} value={draft.channel} onChange={(channel) => update({ channel })} errors={errors} required options={enumOptions('channel', catalog?.channels ?? [draft.channel])} />
            <TextField name="branch" label={t('register.branch')} value={draft.branch} onInput={(branch) => update({ branch })} errors={errors} required readOnly={session.user.branch !== undefined} />
            <TextField name="hall" label={t('register.hall')} value={draft.hall} onInput={(hall) => update({ hall })} errors={errors} />
            <TextField name="externalRef" label={t('register.externalRef')} value={draft.externalRef} onInput={(externalRef) => update({ externalRef })} errors={errors} />
            <Select name="category" label={t('register.category')} value={draft.category} onChange={(category) => update({ category })} errors={errors} required options={enumOptions('category', catalog?.categories ?? [draft.category])} />
            <TextField name="subcategory" label={t('register.subcategory')} value={draft.subcategory} onInput={(subcategory) => update({ subcategory })} errors={errors} />
          </div>
          <TextArea name="description" label={t('register.description')} value={draft.description} onInput={(description) => update({ description })} errors={errors} required rows={4} />
        </fieldset>
        <fieldset>
          <legend>{t('register.contact')}</legend>
          <div class="grid">
            <TextField name="contact.phone" label={t('register.phone')} value={draft.phone} onInput={(phone) => update({ phone })} errors={errors} inputMode="tel" />
            <Select name="contact.preferredMethod" label={t('register.preferredMethod')} value={draft.preferredMethod} onChange={(preferredMethod) => update({ preferredMethod })} errors={errors} options={enumOptions('method', catalog?.contactMethods ?? ['phone', 'sms', 'letter', 'in_person'])} />
          </div>
        </fieldset>
        <div class="actions-row">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('register.busy') : t('register.submit')}
          </button>
          <button type="button" onClick={() => (clear(), setError(undefined))}>
            {t('register.clear')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** the fields this form shows; a message about any other is listed at the top */
const FORM_FIELDS = [
  'channel',
  'externalRef',
  'customer',
  'customer.msisdn',
  'customer.name',
  'customer.vip',
  'customer.groupCustomer',
  'customer.accountType',
  'branch',
  'hall',
  'category',
  'subcategory',
  'description',
  'contact',
  'contact.phone',
  'contact.preferredMethod',
];

import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { lang, setLang, t } from '../i18n';
import { Session, signedIn } from '../session';
import { ProblemBanner, TextField } from '../components/ui';

/**
 * Username and password against the server's users (POST /api/session); the
 * answer is the same bearer token `npm run token` prints. Shown over the page
 * the user was on when their session expired: signing in again returns them
 * to it, drafts intact.
 */
export function SignIn({ reason, lastUsername }: { reason: 'none' | 'expired' | 'signed-out'; lastUsername?: string }) {
  const [username, setUsername] = useState(lastUsername ?? '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const errors = error?.status === 400 ? error.fieldErrors() : undefined;

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = await api<Session>('/api/session', { method: 'POST', body: { username, password } });
      signedIn(session);
    } catch (e) {
      setError(e instanceof ApiError ? e : undefined);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="signin">
      <form class="card" onSubmit={submit} aria-labelledby="signin-title">
        <div class="signin-head">
          <h1 id="signin-title">{t('app.title')}</h1>
          <button type="button" class="link" onClick={() => setLang(lang() === 'en' ? 'zh-CN' : 'en')} aria-label={t('app.languageLabel')}>
            {t('app.language')}
          </button>
        </div>
        <h2>{t('signin.title')}</h2>
        {reason === 'expired' && (
          <div class="banner warn" role="alert">
            {t('signin.expired')}
          </div>
        )}
        {reason === 'signed-out' && <div class="banner ok">{t('signin.signedOut')}</div>}
        {error && error.status === 401 && (
          <div class="banner error" role="alert">
            {t('signin.failed')}
          </div>
        )}
        {error && error.status !== 401 && error.status !== 400 && <ProblemBanner error={error} />}
        <TextField name="username" label={t('signin.username')} value={username} onInput={setUsername} errors={errors} required autoComplete="username" autoFocus={!lastUsername} />
        <TextField name="password" label={t('signin.password')} value={password} onInput={setPassword} errors={errors} required type="password" autoComplete="current-password" autoFocus={!!lastUsername} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('signin.busy') : t('signin.submit')}
        </button>
        <p class="muted small">{t('signin.demo')}</p>
      </form>
    </div>
  );
}

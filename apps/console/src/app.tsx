import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { forgetCatalog } from './catalog';
import { lang, onLangChange, setLang, t, MessageKey } from './i18n';
import { startLive, stopLive, useLive } from './live';
import { Accounts } from './pages/accounts';
import { Bulletin } from './pages/bulletin';
import { ComplaintPage } from './pages/complaint';
import { Dashboard } from './pages/dashboard';
import { DeskQueue } from './pages/desk-queue';
import { Handover } from './pages/handover';
import { Inbox } from './pages/inbox';
import { Register } from './pages/register';
import { Reports } from './pages/reports';
import { Search } from './pages/search';
import { SignIn } from './pages/sign-in';
import { Supervisor } from './pages/supervisor';
import { WorkOrderPage } from './pages/work-order';
import { href, navigate, Route, useRoute } from './router';
import { onSessionChange, Role, Session, sessionState, SessionState, signOut } from './session';

interface NavItem {
  path: string;
  key: MessageKey;
  roles: Role[];
  /** the key after "g" that jumps here */
  shortcut?: string;
}

const NAV: NavItem[] = [
  { path: '/desk', key: 'nav.desk', roles: ['agent', 'callcenter', 'supervisor', 'admin'], shortcut: 'd' },
  { path: '/register', key: 'nav.register', roles: ['agent', 'callcenter', 'admin'], shortcut: 'r' },
  { path: '/inbox', key: 'nav.inbox', roles: ['handler', 'admin'], shortcut: 'i' },
  { path: '/supervisor', key: 'nav.supervisor', roles: ['supervisor', 'admin'], shortcut: 'u' },
  { path: '/refunds', key: 'nav.refunds', roles: ['accounts', 'supervisor', 'admin'], shortcut: 'f' },
  { path: '/handover', key: 'nav.handover', roles: ['agent', 'callcenter', 'supervisor'], shortcut: 'h' },
  { path: '/search', key: 'nav.search', roles: ['agent', 'callcenter', 'supervisor', 'accounts', 'analyst', 'admin'], shortcut: 's' },
  { path: '/dashboard', key: 'nav.dashboard', roles: ['analyst', 'supervisor', 'callcenter', 'admin'], shortcut: 'a' },
  { path: '/reports', key: 'nav.reports', roles: ['analyst', 'supervisor', 'admin'], shortcut: 'p' },
  { path: '/bulletin', key: 'nav.bulletin', roles: ['analyst', 'supervisor', 'admin'], shortcut: 'b' },
];

const HOME: Record<Role, string> = {
  agent: '/desk',
  callcenter: '/desk',
  handler: '/inbox',
  supervisor: '/supervisor',
  accounts: '/refunds',
  analyst: '/dashboard',
  admin: '/desk',
};

export function App() {
  const [session, setSession] = useState<SessionState>(sessionState);
  const [, setLangTick] = useState(0);
  const route = useRoute();

  useEffect(() => onSessionChange(setSession), []);
  useEffect(() => onLangChange(() => setLangTick((n) => n + 1)), []);
  useEffect(() => {
    document.documentElement.lang = lang();
    document.title = t('app.title');
  }, []);
  const token = session.kind === 'signed-in' ? session.session.token : undefined;
  useEffect(() => {
    if (token) startLive();
    else stopLive();
    forgetCatalog();
  }, [token]);

  if (session.kind !== 'signed-in') return <SignIn reason={session.reason} lastUsername={session.lastUsername} />;
  return <Shell session={session.session} route={route} />;
}

function Shell({ session, route }: { session: Session; route: Route }) {
  const role = session.user.role;
  const items = NAV.filter((item) => item.roles.includes(role));
  useShortcuts(items);
  const home = HOME[role];
  if (route.path === '/' || route.path === '') {
    navigate(home);
    return null;
  }
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('app.skip')}
      </a>
      <header class="top">
        <a class="brand" href={href(home)}>
          {t('app.title')}
        </a>
        <nav aria-label={t('nav.main')}>
          {items.map((item) => (
            <a key={item.path} href={href(item.path)} class={route.path.startsWith(item.path) ? 'active' : ''} aria-current={route.path.startsWith(item.path) ? 'page' : undefined} title={item.shortcut ? `g ${item.shortcut}` : undefined}>
              {t(item.key)}
            </a>
          ))}
        </nav>
        <div class="who">
          <LiveIndicator />
          <span class="user" title={session.user.username}>
            {session.user.displayName ?? session.user.username} · {t(`role.${role}` as MessageKey)}
            {session.user.branch ? ` · ${session.user.branch}` : ''}
            {session.user.department ? ` · ${session.user.department}` : ''}
          </span>
          <button type="button" class="link" onClick={() => setLang(lang() === 'en' ? 'zh-CN' : 'en')} aria-label={t('app.languageLabel')} lang={lang() === 'en' ? 'zh-CN' : 'en'}>
            {t('app.language')}
          </button>
          <button type="button" class="link" onClick={() => signOut()}>
            {t('app.signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} session={session} />
      </main>
      <footer class="keys muted">
        {t('app.shortcuts')}{' '}
        {items
          .filter((item) => item.shortcut)
          .map((item) => `g ${item.shortcut} ${t(item.key)}`)
          .join(' · ')}
        {items.some((item) => item.path === '/search') && ` · / ${t('nav.search')}`} · ↑↓ Home End
      </footer>
    </div>
  );
}

function Page({ route, session }: { route: Route; session: Session }): ComponentChildren {
  const [first, second] = route.segments;
  const asOf = route.params.get('asOf') ?? undefined;
  switch (first) {
    case 'desk':
      return <DeskQueue session={session} asOf={asOf} filter={route.params.get('filter') ?? 'all'} />;
    case 'register':
      return <Register session={session} />;
    case 'complaints':
      return second ? <ComplaintPage id={second} session={session} /> : <Search session={session} params={route.params} />;
    case 'inbox':
      return <Inbox session={session} asOf={asOf} department={route.params.get('department') ?? undefined} />;
    case 'work-orders':
      return <WorkOrderPage id={second ?? ''} session={session} />;
    case 'supervisor':
      return <Supervisor session={session} asOf={asOf} />;
    case 'refunds':
      return <Accounts session={session} />;
    case 'handover':
      return <Handover session={session} />;
    case 'search':
      return <Search session={session} params={route.params} />;
    case 'dashboard':
      return <Dashboard session={session} params={route.params} />;
    case 'reports':
      return <Reports session={session} params={route.params} />;
    case 'bulletin':
      return <Bulletin session={session} params={route.params} />;
    default:
      return <p>{t('app.notFound')}</p>;
  }
}

function LiveIndicator() {
  const { connected } = useLive();
  return (
    <span class={`live ${connected ? 'on' : 'off'}`} role="status" title={connected ? t('app.live.on') : t('app.live.off')}>
      <span class="dot" aria-hidden="true" />
      <span class="sr-only">{connected ? t('app.live.on') : t('app.live.off')}</span>
    </span>
  );
}

/** "g" then a letter jumps to a page; "/" goes to search. Never while typing in a field. */
function useShortcuts(items: NavItem[]): void {
  useEffect(() => {
    let pendingG = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      if (pendingG) {
        pendingG = false;
        const item = items.find((i) => i.shortcut === event.key);
        if (item) {
          event.preventDefault();
          navigate(item.path);
        }
        return;
      }
      if (event.key === 'g') {
        pendingG = true;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => (pendingG = false), 1500);
      } else if (event.key === '/' && items.some((i) => i.path === '/search')) {
        event.preventDefault();
        navigate('/search');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items.map((i) => i.path).join()]);
}

/**
 * The signed-in user, kept in this tab's sessionStorage (a shared counter PC
 * forgets it when the tab closes). The token is the API's bearer JWT from
 * POST /api/session. When it expires, or the server refuses it, the session
 * ends as "expired": the console shows the sign-in form over the page the
 * user was on, and the drafts they typed stay (see drafts.ts).
 */
export type Role = 'agent' | 'callcenter' | 'handler' | 'supervisor' | 'accounts' | 'analyst' | 'admin';

export interface SessionUser {
  username: string;
  role: Role;
  branch?: string;
  department?: string;
  displayName?: string;
}

export interface Session {
  token: string;
  expiresAt: string;
  user: SessionUser;
}

export type SessionState = { kind: 'signed-in'; session: Session } | { kind: 'signed-out'; reason: 'none' | 'expired' | 'signed-out'; lastUsername?: string };

const KEY = 'console.session';
const LAST_USER_KEY = 'console.lastUsername';
const listeners = new Set<(state: SessionState) => void>();
let expiryTimer: ReturnType<typeof setTimeout> | undefined;

function read(): SessionState {
  try {
    const stored = sessionStorage.getItem(KEY);
    const lastUsername = sessionStorage.getItem(LAST_USER_KEY) ?? undefined;
    if (stored) {
      const session = JSON.parse(stored) as Session;
      if (Date.parse(session.expiresAt) > Date.now()) return { kind: 'signed-in', session };
      return { kind: 'signed-out', reason: 'expired', lastUsername: session.user.username };
    }
    return { kind: 'signed-out', reason: 'none', lastUsername };
  } catch {
    return { kind: 'signed-out', reason: 'none' };
  }
}

let state: SessionState = read();
scheduleExpiry();

function publish(next: SessionState): void {
  state = next;
  scheduleExpiry();
  for (const listener of listeners) listener(state);
}

function scheduleExpiry(): void {
  if (expiryTimer) clearTimeout(expiryTimer);
  expiryTimer = undefined;
  if (state.kind !== 'signed-in') return;
  // setTimeout's limit is about 24.8 days; a session is hours long
  const ms = Math.min(Date.parse(state.session.expiresAt) - Date.now(), 2 ** 31 - 1);
  expiryTimer = setTimeout(() => expire(), Math.max(ms, 0));
}

export function sessionState(): SessionState {
  return state;
}

export function currentSession(): Session | undefined {
  return state.kind === 'signed-in' ? state.session : undefined;
}

export function onSessionChange(listener: (state: SessionState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function signedIn(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
  sessionStorage.setItem(LAST_USER_KEY, session.user.username);
  publish({ kind: 'signed-in', session });
}

/** The token is no longer accepted: back to the sign-in form, keeping the page and its drafts. */
export function expire(): void {
  if (state.kind !== 'signed-in') return;
  const lastUsername = state.session.user.username;
  sessionStorage.removeItem(KEY);
  publish({ kind: 'signed-out', reason: 'expired', lastUsername });
}

/** Ends the session here at once, and tells the server, so that the token stops working wherever it was copied. */
export function signOut(): void {
  const lastUsername = state.kind === 'signed-in' ? state.session.user.username : undefined;
  if (state.kind === 'signed-in') {
    // not waited for: the form comes back at once; a server that cannot be reached lets the token expire on its own
    void fetch('/api/session', { method: 'DELETE', headers: { authorization: `Bearer ${state.session.token}` }, keepalive: true }).catch(() => undefined);
  }
  sessionStorage.removeItem(KEY);
  publish({ kind: 'signed-out', reason: 'signed-out', lastUsername });
}

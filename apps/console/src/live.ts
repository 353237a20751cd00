import { useEffect, useState } from 'preact/hooks';
import { currentSession, expire } from './session';

/**
 * Live updates: GET /api/events/stream (server-sent events) says each time the
 * read models have advanced, with their position; pages refetch what they
 * show. Read with fetch rather than EventSource so the bearer token travels
 * in the Authorization header like every other request (never in a URL, which
 * ends up in logs). Reconnects with a growing delay.
 */
type Listener = () => void;

let position = 0;
let connected = false;
let controller: AbortController | undefined;
const listeners = new Set<Listener>();

function notify(): void {
  for (const listener of listeners) listener();
}

export function livePosition(): number {
  return position;
}

export function liveConnected(): boolean {
  return connected;
}

export function startLive(): void {
  stopLive();
  const own = new AbortController();
  controller = own;
  void run(own.signal);
}

export function stopLive(): void {
  controller?.abort();
  controller = undefined;
  if (connected) {
    connected = false;
    notify();
  }
}

async function run(signal: AbortSignal): Promise<void> {
  let delay = 1000;
  while (!signal.aborted) {
    const session = currentSession();
    if (!session) return;
    try {
      const response = await fetch('/api/events/stream', { headers: { authorization: `Bearer ${session.token}`, accept: 'text/event-stream' }, signal });
      if (response.status === 401) {
        expire();
        return;
      }
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      connected = true;
      notify();
      delay = 1000;
      await read(response.body, signal);
    } catch {
      // aborted, or the connection dropped: try again below
    }
    if (connected) {
      connected = false;
      notify();
    }
    if (signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 15_000);
  }
}

async function read(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  while (!signal.aborted) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = message
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('\n');
      if (!data) continue; // a comment (heartbeat)
      try {
        const parsed = JSON.parse(data) as { position?: number };
        if (typeof parsed.position === 'number' && parsed.position !== position) {
          position = parsed.position;
          notify();
        }
      } catch {
        // not ours: ignore
      }
    }
  }
}

/** The read models' position; a component that passes it to its data hook refetches when events arrive. */
export function useLive(): { position: number; connected: boolean } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return { position, connected };
}

const tickers = new Set<(now: number) => void>();
let tickTimer: ReturnType<typeof setInterval> | undefined;

/** The time now, updated every second: countdowns tick locally, without asking the server. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    tickers.add(setNow);
    if (!tickTimer) tickTimer = setInterval(() => {
      const at = Date.now();
      for (const tick of tickers) tick(at);
    }, 1000);
    return () => {
      tickers.delete(setNow);
      if (tickers.size === 0 && tickTimer) {
        clearInterval(tickTimer);
        tickTimer = undefined;
      }
    };
  }, []);
  return now;
}

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { RecordedEvent } from '../event-store.port';
import { SqliteEventStore } from './sqlite.event-store';
import type { Ack } from './test/crash-appender.child';

/**
 * Kills a process that is appending (SIGKILL: no chance to flush or close)
 * and checks the file it leaves: every acknowledged append is there in full,
 * no append is there in part, revisions and positions have no gaps. Several
 * rounds on one file, so each round also recovers the previous one's WAL and
 * writes on after it.
 *
 * SIGKILL leaves the operating system's page cache intact, so this proves
 * atomicity and acknowledge-after-commit, not what synchronous=FULL adds
 * against a power cut.
 */
const CHILD = join(__dirname, 'test', 'crash-appender.child.ts');
const REPO_ROOT = resolve(__dirname, '../../../..');
const ROUNDS = 3;
const WORKERS = 64;

/** Runs the child until it has acknowledged at least `acks` appends, then kills it; returns what it acknowledged. */
async function appendUntilKilled(filename: string, acks: number): Promise<Ack[]> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', CHILD, filename, String(WORKERS)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acknowledged: Ack[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));

  // readline yields only complete lines: a line cut short by the kill is not an acknowledgement.
  for await (const line of createInterface({ input: child.stdout })) {
    acknowledged.push(JSON.parse(line) as Ack);
    if (acknowledged.length === acks) child.kill('SIGKILL');
  }
  const signal = await exited;
  if (signal !== 'SIGKILL') throw new Error(`the child ended by itself (${String(signal)}): ${stderr}`);
  return acknowledged;
}

/** Everything wrong with the log, as sentences: the test expects none. */
function problems(events: RecordedEvent[], acks: Ack[]): string[] {
  const found: string[] = [];
  events.forEach((e, i) => {
    if (e.position !== i + 1) found.push(`position ${e.position} at index ${i}`);
  });

  const revisions = new Map<string, number>();
  for (const e of events) {
    const expected = (revisions.get(e.streamId) ?? 0) + 1;
    if (e.revision !== expected) found.push(`${e.streamId} has revision ${e.revision} where ${expected} was due`);
    revisions.set(e.streamId, e.revision);
  }

  const appends = new Map<unknown, RecordedEvent[]>();
  for (const e of events) appends.set(e.metadata.appendId, [...(appends.get(e.metadata.appendId) ?? []), e]);
  for (const [appendId, parts] of appends) {
    const size = Number(parts[0].metadata.size);
    const consecutive = parts.every((e, i) => e.metadata.index === i && e.revision === parts[0].revision + i);
    if (parts.length !== size || !consecutive) found.push(`append ${String(appendId)} is stored in part: ${parts.length} of ${size} events`);
  }

  const byId = new Map(events.map((e) => [e.id, e]));
  for (const ack of acks) {
    ack.ids.forEach((id, i) => {
      const stored = byId.get(id);
      const revision = ack.nextRevision - ack.ids.length + 1 + i;
      if (stored?.streamId !== ack.streamId || stored.revision !== revision) found.push(`acknowledged event ${id} is missing or moved`);
    });
    if (byId.get(ack.ids[ack.ids.length - 1])?.position !== ack.lastPosition) found.push(`acknowledged position ${ack.lastPosition} differs`);
  }
  return found;
}

describe('SqliteEventStore killed while appending', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-crash-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(`keeps every acknowledged append whole and no other append in part (${ROUNDS} kills)`, async () => {
    const filename = join(dir, 'events.sqlite');
    const acks: Ack[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      acks.push(...(await appendUntilKilled(filename, 300 + Math.floor(Math.random() * 300))));

      const store = new SqliteEventStore({ filename });
      try {
        const events = await store.readAll({ fromPosition: 0 });
        expect(problems(events, acks)).toEqual([]);
        // acknowledgements lag behind commits, never the other way round
        expect(events.length).toBeGreaterThanOrEqual(acks.reduce((sum, ack) => sum + ack.ids.length, 0));
      } finally {
        await store.close();
      }
    }
  }, 30_000);
});

import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { TokenService } from '../apps/api/src/platform/auth';
import { DEVELOPMENT_JWT_SECRET } from '../apps/api/src/platform/config/app-config';
import { complaintBody, people } from './support/api-server';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..');
const tokens = new TokenService(DEVELOPMENT_JWT_SECRET);
const auth = (who: Parameters<TokenService['sign']>[0]) => ({ authorization: `Bearer ${tokens.sign(who, { expiresIn: '1h' })}`, 'content-type': 'application/json' });

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The real server in a child process, so that it can be SIGKILLed. */
async function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  // the compiled server, as `npm start` runs it (`npm test` builds first)
  const child = spawn(process.execPath, ['-r', './tools/register-paths.js', 'dist/apps/api/src/main.js'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', COMPLAINTS_TEST_CLOCK: '1', NODE_ENV: 'test', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${output}`)));
  });
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('a deadline due while the server was SIGKILLed', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'complaints-restart-'));
  let server: ChildProcess | undefined;

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) await kill(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fires exactly once after restart, and not again after another', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const call = async (method: string, path: string, who: Parameters<TokenService['sign']>[0], body?: unknown) => {
      const response = await fetch(`${url}${path}`, { method, headers: auth(who), body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as any };
    };

    server = await startServer(dataDir, port);
    expect((await call('POST', '/api/test/clock', people.admin, { now: '2026-11-02T01:00:00.000Z' })).status).toBe(200);
    const complaint = (await call('POST', '/api/complaints', people.agentZG, complaintBody())).body;
    const order = (await call('POST', `/api/complaints/${complaint.id}/dispatch`, people.agentZG, { department: 'billing-center' })).body;
    expect(order.replyDueAt).toBe('2026-11-02T02:00:00.000Z');
    await call('POST', '/api/test/clock', people.admin, { advanceMinutes: 40 });
    await kill(server); // 40 minutes in: the hour runs out while the server is down

    // restarted, the server's test clock starts at the real now, long after the hour: the start-up round fires it
    const overdueCount = async () => {
      for (let i = 0; i < 50; i++) {
        const events = (await call('GET', `/api/complaints/${complaint.id}/history`, people.agentZG)).body.events as { type: string }[];
        const count = events.filter((e) => e.type === 'WorkOrderReplyOverdue').length;
        if (count > 0) return count;
        await new Promise((r) => setTimeout(r, 200));
      }
      return 0;
    };
    server = await startServer(dataDir, port);
    expect(await overdueCount()).toBe(1);
    await kill(server);

    server = await startServer(dataDir, port);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await overdueCount()).toBe(1);
    const escalations = (await call('GET', `/api/complaints/${complaint.id}`, people.agentZG)).body.escalations;
    expect(escalations).toEqual([expect.objectContaining({ trigger: 'work_order_overdue', to: 'branch-supervisor' })]);
    await kill(server);
  });
});

import jwt from 'jsonwebtoken';
import { join } from 'path';
import { hashPassword, writeUsersFile } from '../apps/api/src/sign-in/console-users';
import { ApiServer } from './support/api-server';

describe('console sign-in (POST /api/session)', () => {
  let server: ApiServer;

  beforeAll(async () => {
    server = await ApiServer.start();
  });

  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('signs a demo user in with the same token npm run token would print for them', async () => {
    const answer = await server.call('POST', '/api/session', { body: { username: 'desk-007', password: 'demo-agent' } });
    expect(answer.status).toBe(200);
    expect(answer.body.user).toEqual({ username: 'desk-007', role: 'agent', branch: 'ZG', displayName: '王芳' });
    expect(jwt.decode(answer.body.token)).toMatchObject({ sub: 'desk-007', role: 'agent', branch: 'ZG' });
    expect(Date.parse(answer.body.expiresAt) - Date.now()).toBeGreaterThan(11 * 3600_000);

    const queue = await server.call('GET', '/api/queues/desk', { as: answer.body.token });
    expect(queue.status).toBe(200);
    const me = await server.call('GET', '/api/session', { as: answer.body.token });
    expect(me.body.user).toMatchObject({ username: 'desk-007', role: 'agent', branch: 'ZG', displayName: '王芳' });
  });

  it('gives a handler their department', async () => {
    const answer = await server.call('POST', '/api/session', { body: { username: 'billing-01', password: 'demo-handler' } });
    expect(jwt.decode(answer.body.token)).toMatchObject({ sub: 'billing-01', role: 'handler', department: 'billing-center' });
  });

  it('does not tell a wrong password from an unknown user', async () => {
    const wrong = await server.call('POST', '/api/session', { body: { username: 'desk-008', password: 'not-the-password' } });
    const unknown = await server.call('POST', '/api/session', { body: { username: 'nobody', password: 'demo-agent' } });
    for (const answer of [wrong, unknown]) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body.detail).toBe('the username or password is wrong');
    }
  });

  it('names every missing field', async () => {
    const answer = await server.call('POST', '/api/session', { body: {} });
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['password', 'username']);
  });

  it('locks a username after five wrong passwords in a row', async () => {
    for (let i = 0; i < 5; i++) expect((await server.call('POST', '/api/session', { body: { username: 'acct-zg', password: `guess-${i}` } })).status).toBe(401);
    const locked = await server.call('POST', '/api/session', { body: { username: 'acct-zg', password: 'demo-accounts' } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('takes the users of USERS_FILE instead of the demo users once it exists', async () => {
    const file = join(server.dataDir, 'users.json');
    writeUsersFile(file, { users: [{ username: 'desk-200', role: 'agent', branch: 'GX', passwordHash: await hashPassword('a long password') }] });
    const own = await server.call('POST', '/api/session', { body: { username: 'desk-200', password: 'a long password' } });
    expect(own.status).toBe(200);
    expect(own.body.user).toMatchObject({ username: 'desk-200', branch: 'GX' });
    const demo = await server.call('POST', '/api/session', { body: { username: 'desk-007', password: 'demo-agent' } });
    expect(demo.status).toBe(401);
  });

  it('signs out: the token is refused at once and after a restart, other sessions of the same user go on, and a repeat is harmless', async () => {
    // the user of USERS_FILE, written by the test before
    const signIn = () => server.call('POST', '/api/session', { body: { username: 'desk-200', password: 'a long password' } });
    const [kept, ended] = [(await signIn()).body.token as string, (await signIn()).body.token as string];
    expect((await server.call('GET', '/api/queues/desk', { as: ended })).status).toBe(200);

    const out = await server.call('DELETE', '/api/session', { as: ended });
    expect(out.status).toBe(204);

    const refused = await server.call('GET', '/api/queues/desk', { as: ended });
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toBe('this session was signed out; sign in again');
    expect((await server.call('DELETE', '/api/session', { as: ended })).status).toBe(401);
    expect((await server.call('GET', '/api/queues/desk', { as: kept })).status).toBe(200);

    // durable: a server started again on the same data still refuses it
    const dataDir = server.dataDir;
    await server.stop({ removeData: false });
    server = await ApiServer.start({ dataDir });
    expect((await server.call('GET', '/api/session', { as: ended })).status).toBe(401);
    expect((await server.call('GET', '/api/session', { as: kept })).status).toBe(200);
  });

  it('needs a token to sign out', async () => {
    expect((await server.call('DELETE', '/api/session')).status).toBe(401);
  });
});

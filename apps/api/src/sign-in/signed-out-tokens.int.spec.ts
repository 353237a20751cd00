import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { dropSchemas, freshSchemaName, POSTGRES_URL } from '../../../../libs/event-store/src/postgres/test/postgres.test-schema';
import { tokenDigest } from '../platform/auth/token.service';
import { PostgresSignedOutTokens, REFRESH_MS, SignedOutTokens, SqliteSignedOutTokens } from './signed-out-tokens';

const inAnHour = () => new Date(Date.now() + 3600_000);

async function eventually(check: () => boolean, withinMs: number): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - start;
}

function contract(name: string, open: () => Promise<SignedOutTokens>, cleanUp: () => Promise<void>) {
  describe(`signed-out tokens on ${name}`, () => {
    const opened: SignedOutTokens[] = [];
    const openOne = async () => {
      const store = await open();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      await cleanUp();
    });

    it('refuses a signed-out token at once here, in another process within the refresh interval, and after a restart', async () => {
      const [here, elsewhere] = [await openOne(), await openOne()];
      const digest = tokenDigest('header.payload.signature');
      expect(here.has(digest)).toBe(false);
      await here.add(digest, inAnHour());
      expect(here.has(digest)).toBe(true);
      expect(here.has(tokenDigest('another.token.here'))).toBe(false);
      await eventually(() => elsewhere.has(digest), REFRESH_MS * 2 + 500);

      await here.add(digest, inAnHour()); // a repeat is harmless
      const reopened = await openOne();
      expect(reopened.has(digest)).toBe(true);
    });

    it('forgets a token once it has expired anyway', async () => {
      const store = await openOne();
      const digest = tokenDigest('short.lived.token');
      await store.add(digest, new Date(Date.now() + 300));
      expect(store.has(digest)).toBe(true);
      await eventually(() => !store.has(digest), 2_000);
      const reopened = await openOne();
      expect(reopened.has(digest)).toBe(false);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'signed-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
contract(
  'SQLite',
  () => SqliteSignedOutTokens.open(join(dir, 'sessions.sqlite')),
  async () => rmSync(join(dir, 'sessions.sqlite'), { force: true }),
);

let schema = freshSchemaName('signed_out');
contract(
  'PostgreSQL',
  () => PostgresSignedOutTokens.open({ connectionString: POSTGRES_URL, schema }),
  async () => {
    await dropSchemas([schema]);
    schema = freshSchemaName('signed_out');
  },
);

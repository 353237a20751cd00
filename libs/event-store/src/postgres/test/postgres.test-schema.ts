/// <reference types="jest" />
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Where the PostgreSQL tests run: DATABASE_URL, or the local server that CI
 * and every developer machine have. Each test suite works in schemas of its
 * own and drops them after.
 */
export const POSTGRES_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const SKIPPED = process.env.COMPLAINTS_SKIP_POSTGRES === '1';

/**
 * describe() for tests that need PostgreSQL. When the server cannot be
 * reached every test fails with the reason: a missing server must not pass
 * for a green run. Only COMPLAINTS_SKIP_POSTGRES=1 skips them, and says so.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  if (SKIPPED) {
    console.warn(`${name}: NOT RUN, because COMPLAINTS_SKIP_POSTGRES=1. These PostgreSQL tests did not run.`);
    describe.skip(name, () => it('needs PostgreSQL (COMPLAINTS_SKIP_POSTGRES=1)', () => undefined));
    return;
  }
  describe(name, () => {
    beforeAll(assertReachable);
    body();
  });
}

async function assertReachable(): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${redacted(POSTGRES_URL)} (${error instanceof Error ? error.message : String(error)}). ` +
        'Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), point DATABASE_URL at one, ' +
        'or set COMPLAINTS_SKIP_POSTGRES=1 to skip these tests knowingly.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema name no other suite or run uses; the stores create it. */
export function freshSchemaName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(6).toString('hex')}`;
}

export async function dropSchemas(schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  await withClient(async (client) => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
}

/** A connection of its own for the duration of `use`. */
export async function withClient<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function redacted(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

import { randomBytes } from 'crypto';
import { Client } from 'pg';

/**
 * The PostgreSQL server of the tests: COMPLAINTS_TEST_POSTGRES_URL, else
 * DATABASE_URL, else the local server CI and every developer machine have.
 * Only its address is used: every test gets a database of its own.
 */
export const POSTGRES_SERVER_URL = process.env.COMPLAINTS_TEST_POSTGRES_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** COMPLAINTS_E2E_STORE=postgres: the e2e servers of ApiServer run on a fresh PostgreSQL database each (DATABASE_URL) instead of SQLite files. */
export const E2E_ON_POSTGRES = process.env.COMPLAINTS_E2E_STORE === 'postgres';

export interface TestDatabase {
  /** DATABASE_URL of the new database */
  url: string;
  name: string;
  /** drops it, disconnecting whoever is still connected */
  drop(): Promise<void>;
}

/** A new, empty database on the test server, named `<prefix>_<pid>_<random>`. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(5).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(POSTGRES_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function admin<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: POSTGRES_SERVER_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_SERVER_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')} (${(error as Error).message}). ` +
        'Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or point COMPLAINTS_TEST_POSTGRES_URL at one.',
    );
  }
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

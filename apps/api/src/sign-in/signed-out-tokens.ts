import type { Database, Statement } from 'better-sqlite3';
import type { Pool } from 'pg';
import { ensureSchema, openSqliteFile, quotedSchema } from '@complaints/event-store';
import { pg } from '../infrastructure/pg-driver';

/**
 * The bearer tokens whose session was signed out before they expired, so
 * that a token copied off a shared counter PC stops working when its user
 * signs out. Kept durably until the token's own expiry (a restart does not
 * bring a session back), and held in memory for the per-request check,
 * which must cost nothing. Other processes on the same store learn of a
 * sign-out within REFRESH_MS.
 */
export interface SignedOutTokens {
  /** whether a token, by its digest, was signed out (memory only) */
  has(digest: string): boolean;
  /** records a sign-out durably; idempotent */
  add(digest: string, expiresAt: Date): Promise<void>;
  close(): Promise<void>;
}

export const SIGNED_OUT_TOKENS = Symbol('SIGNED_OUT_TOKENS');

/** how often sign-outs made by other processes are read */
export const REFRESH_MS = 2_000;

/** the in-memory side of both stores: digests until their expiry */
abstract class PolledSignedOutTokens implements SignedOutTokens {
  private readonly expiries = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  protected lastSeq = 0;

  has(digest: string): boolean {
    if (this.expiries.size === 0) return false;
    const expiresAtMs = this.expiries.get(digest);
    return expiresAtMs !== undefined && expiresAtMs > Date.now();
  }

  async add(digest: string, expiresAt: Date): Promise<void> {
    await this.insert(digest, expiresAt);
    this.remember(digest, expiresAt.getTime());
  }

  /** loads what is stored, then follows other processes' sign-outs */
  async start(): Promise<void> {
    await this.purge(new Date());
    await this.refresh();
    this.timer = setInterval(() => {
      this.refreshing ??= this.refresh()
        .catch(() => undefined) // the next round tries again; a sign-out of this process is in memory already
        .finally(() => (this.refreshing = undefined));
    }, REFRESH_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
    await this.closeStore();
  }

  private async refresh(): Promise<void> {
    const now = Date.now();
    for (const [digest, expiresAtMs] of this.expiries) if (expiresAtMs <= now) this.expiries.delete(digest);
    for (const row of await this.rowsAfter(this.lastSeq)) {
      this.lastSeq = Math.max(this.lastSeq, row.seq);
      this.remember(row.digest, Date.parse(row.expiresAt));
    }
  }

  private remember(digest: string, expiresAtMs: number): void {
    if (expiresAtMs > Date.now()) this.expiries.set(digest, expiresAtMs);
  }

  protected abstract insert(digest: string, expiresAt: Date): Promise<void>;
  protected abstract rowsAfter(seq: number): Promise<{ seq: number; digest: string; expiresAt: string }[]>;
  protected abstract purge(now: Date): Promise<void>;
  protected abstract closeStore(): Promise<void>;
}

/** The embedded default: `DATA_DIR/sessions.sqlite`, written at synchronous=FULL. */
export class SqliteSignedOutTokens extends PolledSignedOutTokens {
  private readonly db: Database;
  private readonly insertRow: Statement<[string, string]>;
  private readonly selectAfter: Statement<[number], { seq: number; digest: string; expiresAt: string }>;
  private readonly deleteExpired: Statement<[string]>;

  private constructor(filename: string) {
    super();
    this.db = openSqliteFile(
      filename,
      'FULL',
      `CREATE TABLE IF NOT EXISTS signed_out_tokens (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        digest TEXT NOT NULL UNIQUE,
        expires_at TEXT NOT NULL
      )`,
    );
    this.insertRow = this.db.prepare('INSERT INTO signed_out_tokens (digest, expires_at) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING');
    this.selectAfter = this.db.prepare('SELECT seq, digest, expires_at AS expiresAt FROM signed_out_tokens WHERE seq > ? ORDER BY seq');
    this.deleteExpired = this.db.prepare('DELETE FROM signed_out_tokens WHERE expires_at <= ?');
  }

  static async open(filename: string): Promise<SqliteSignedOutTokens> {
    const store = new SqliteSignedOutTokens(filename);
    await store.start();
    return store;
  }

  protected async insert(digest: string, expiresAt: Date): Promise<void> {
    this.insertRow.run(digest, expiresAt.toISOString());
  }

  protected async rowsAfter(seq: number) {
    return this.selectAfter.all(seq);
  }

  protected async purge(now: Date): Promise<void> {
    this.deleteExpired.run(now.toISOString());
  }

  protected async closeStore(): Promise<void> {
    this.db.close();
  }
}

/** With DATABASE_URL: a table beside the event log's, shared by every instance. */
export class PostgresSignedOutTokens extends PolledSignedOutTokens {
  private constructor(
    private readonly pool: Pool,
    private readonly table: string,
  ) {
    super();
  }

  static async open(options: { connectionString: string; schema: string; onError?: (error: unknown) => void }): Promise<PostgresSignedOutTokens> {
    const pool = new (pg().Pool)({ connectionString: options.connectionString, max: 2 });
    pool.on('error', (error) => options.onError?.(error));
    const schema = quotedSchema(options.schema);
    try {
      // under the schema lock the event store and the idempotency keys take too: they open at the same moment
      await ensureSchema(
        pool,
        options.schema,
        `CREATE TABLE IF NOT EXISTS ${schema}.signed_out_tokens (
          seq bigserial PRIMARY KEY,
          digest text NOT NULL UNIQUE,
          expires_at timestamptz NOT NULL
        )`,
      );
      const store = new PostgresSignedOutTokens(pool, `${schema}.signed_out_tokens`);
      await store.start();
      return store;
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  protected async insert(digest: string, expiresAt: Date): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.table} (digest, expires_at) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING`, [digest, expiresAt]);
  }

  protected async rowsAfter(seq: number) {
    const { rows } = await this.pool.query<{ seq: string; digest: string; expires_at: Date }>(
      `SELECT seq, digest, expires_at FROM ${this.table} WHERE seq > $1 ORDER BY seq`,
      [seq],
    );
    return rows.map((r) => ({ seq: Number(r.seq), digest: r.digest, expiresAt: r.expires_at.toISOString() }));
  }

  protected async purge(now: Date): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE expires_at <= $1`, [now]);
  }

  protected async closeStore(): Promise<void> {
    await this.pool.end();
  }
}

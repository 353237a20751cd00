import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import pino from 'pino';
import { createApp } from '../../apps/api/src/create-app';
import { PrincipalToSign, TokenService } from '../../apps/api/src/platform/auth';
import { loadConfig } from '../../apps/api/src/platform/config';
import { createTestDatabase, E2E_ON_POSTGRES, TestDatabase } from './postgres-database';

/** With COMPLAINTS_E2E_STORE=postgres: each data directory's database, so a server restarted on it finds its data. */
const databases = new Map<string, TestDatabase>();

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  as?: PrincipalToSign | string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * The real server, on the embedded default, listening on a free port of
 * 127.0.0.1 with its own DATA_DIR; tests drive it over HTTP as users do.
 * With COMPLAINTS_E2E_STORE=postgres, on a PostgreSQL database of its own
 * instead (DATABASE_URL), dropped with its data directory.
 */
export class ApiServer {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
    readonly dataDir: string,
    private readonly tokens: TokenService,
    private readonly ownsDataDir: boolean,
  ) {}

  static async start(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<ApiServer> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'complaints-e2e-'));
    // The projections run in their worker thread, as under `npm start`: the worker runs dist/, which `npm test` builds first.
    let database = databases.get(dataDir);
    if (E2E_ON_POSTGRES && !database) {
      database = await createTestDatabase('e2e');
      databases.set(dataDir, database);
    }
    const config = loadConfig({
      DATA_DIR: dataDir,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PROJECTIONS_WORKER: '1',
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...options.env,
    });
    const app = await createApp(config, { logger: pino({ level: 'silent' }) });
    try {
      await app.listen(0, '127.0.0.1');
    } catch (error) {
      // refused at start-up (a start-up check failed): release what the modules opened
      await app.close();
      throw error;
    }
    return new ApiServer(app, await app.getUrl(), dataDir, new TokenService(config.jwtSecret), options.dataDir === undefined);
  }

  token(principal: PrincipalToSign): string {
    return this.tokens.sign(principal, { expiresIn: '1h' });
  }

  async call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as !== undefined) headers.authorization = `Bearer ${typeof options.as === 'string' ? options.as : this.token(options.as)}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: body as T };
  }

  /** stops the server; the data directory stays unless `removeData` */
  async stop(options: { removeData?: boolean } = {}): Promise<void> {
    await this.app.close();
    if (options.removeData ?? this.ownsDataDir) {
      rmSync(this.dataDir, { recursive: true, force: true });
      await databases.get(this.dataDir)?.drop();
      databases.delete(this.dataDir);
    }
  }
}

/** The people of the scenarios. */
export const people = {
  agentZG: { sub: 'desk-007', role: 'agent', branch: 'ZG' },
  agentGX: { sub: 'desk-101', role: 'agent', branch: 'GX' },
  billingHandler: { sub: 'billing-01', role: 'handler', department: 'billing-center' },
  supportHandler: { sub: 'support-01', role: 'handler', department: 'support' },
  dataHandler: { sub: 'data-01', role: 'handler', department: 'data' },
  supervisorZG: { sub: 'sup-zg', role: 'supervisor', branch: 'ZG' },
  accountsZG: { sub: 'acct-zg', role: 'accounts', branch: 'ZG' },
  analyst: { sub: 'analyst-1', role: 'analyst' },
  callcenter: { sub: '10086-agent-3', role: 'callcenter' },
  admin: { sub: 'admin', role: 'admin' },
} satisfies Record<string, PrincipalToSign>;

export function complaintBody(overrides: Record<string, unknown> = {}) {
  return {
    channel: 'business_hall',
    customer: { msisdn: '13812345678', name: '张三', vip: false, groupCustomer: false, accountType: 'personal' },
    branch: 'ZG',
    hall: 'ZG-01',
    category: 'billing',
    subcategory: 'double charge',
    description: 'Charged twice for the October data package.',
    contact: { phone: '13812345678', preferredMethod: 'phone' },
    ...overrides,
  };
}

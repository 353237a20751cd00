import { Kysely } from 'kysely';
import { ReadModelTables } from '../projections/read-model.tables';

export interface SearchQuery {
  msisdn?: string;
  status?: string;
  branch?: string;
  /** registered at or after */
  from?: Date;
  /** registered before */
  to?: Date;
  cursor?: string;
  limit: number;
}

export interface SearchHit {
  id: string;
  status: string;
  channel: string;
  category: string;
  subcategory: string | null;
  level: number;
  branch: string;
  msisdn: string;
  customerName: string | null;
  vip: boolean;
  registeredAt: string;
  dueAt: string;
}

export class InvalidCursor extends Error {}

/** The cursor is the sort key of the last hit: newest first, by registration time then id. */
function encodeCursor(registeredAt: string, id: string): string {
  return Buffer.from(JSON.stringify([registeredAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) return value as [string, string];
  } catch {
    // fall through
  }
  throw new InvalidCursor('cursor is not one this server gave out');
}

/** Complaints by number, status, branch and registration dates, newest first, in pages (keyset: stable while new complaints arrive). */
export async function searchComplaints(db: Kysely<ReadModelTables>, query: SearchQuery): Promise<{ items: SearchHit[]; nextCursor: string | null }> {
  let q = db
    .selectFrom('complaints')
    .select(['id', 'status', 'channel', 'category', 'subcategory', 'level', 'branch', 'msisdn', 'customer_name', 'vip', 'registered_at', 'due_at']);
  if (query.msisdn) q = q.where('msisdn', '=', query.msisdn);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.branch) q = q.where('branch', '=', query.branch);
  if (query.from) q = q.where('registered_at', '>=', query.from.toISOString());
  if (query.to) q = q.where('registered_at', '<', query.to.toISOString());
  if (query.cursor) {
    const [registeredAt, id] = decodeCursor(query.cursor);
    q = q.where((eb) => eb.or([eb('registered_at', '<', registeredAt), eb.and([eb('registered_at', '=', registeredAt), eb('id', '<', id)])]));
  }
  const rows = await q.orderBy('registered_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      status: r.status,
      channel: r.channel,
      category: r.category,
      subcategory: r.subcategory,
      level: r.level,
      branch: r.branch,
      msisdn: r.msisdn,
      customerName: r.customer_name,
      vip: r.vip === 1,
      registeredAt: r.registered_at,
      dueAt: r.due_at,
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.registered_at, last.id) : null,
  };
}

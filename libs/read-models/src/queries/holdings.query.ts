import { Kysely } from 'kysely';
import { ComplaintCase, HandoverItem, isWorkOrderOpen } from '@complaints/domain';
import { ReadModelTables } from '../projections/read-model.tables';

/** The open complaints a desk agent holds, with their open work orders: what a shift handover hands over. */
export async function heldBy(db: Kysely<ReadModelTables>, agent: string): Promise<HandoverItem[]> {
  const rows = await db
    .selectFrom('complaints as c')
    .innerJoin('complaint_states as s', 's.id', 'c.id')
    .select(['c.id', 'c.status', 's.state'])
    .where('c.holder', '=', agent)
    .where('c.open', '=', 1)
    .orderBy('c.registered_at')
    .orderBy('c.id')
    .execute();
  return rows.map((row) => {
    const complaint = JSON.parse(row.state) as ComplaintCase;
    return { complaintId: row.id, status: row.status, openWorkOrders: complaint.workOrders.filter(isWorkOrderOpen).map((w) => w.id) };
  });
}

/** The ids of the handovers addressed to an agent, newest first by id (their state is in their streams). */
export async function handoversTo(db: Kysely<ReadModelTables>, agent: string, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('handovers').select('id').where('to_agent', '=', agent).orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => r.id);
}

import { Kysely } from 'kysely';
import { ComplaintCase, HandoverItem, isWorkOrderOpen } from '@complaints/domain';
import { ReadModelTables } from '../projections/read-model.tables';

/** The open complaints a desk agent holds, with their open work orders: what a shift handover hands over. */
export async function heldBy(db: Kysely<ReadModelTables>, agent: string): Promise<HandoverItem[]> {
  const rows = await db.selectFrom('complaints').select(['id', 'status', 'state']).where('holder', '=', agent).where('open', '=', 1).orderBy('registered_at').orderBy('id').execute();
  return rows.map((row) => {
    const complaint = JSON.parse(row.state) as ComplaintCase;
    return { complaintId: row.id, status: row.status, openWorkOrders: complaint.workOrders.filter(isWorkOrderOpen).map((w) => w.id) };
  });
}

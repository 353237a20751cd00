import { Kysely } from 'kysely';
import { ComplaintCase } from '@complaints/domain';
import { ReadModelTables } from '../projections/read-model.tables';

export interface RefundQueueItem {
  refundId: string;
  complaintId: string;
  branch: string;
  status: string;
  amountClaimed: number;
  /** the amount the accounts room found due; null until verified */
  amount: number | null;
  requestedAt: string;
  verifyDueAt: string;
  verifiedAt: string | null;
  /** a supervisor approved paying it in cash */
  cashApproved: boolean;
}

/**
 * Open refunds of a branch (or all) in one status: `requested` ones wait for
 * the accounts room's verification (the one due soonest first), `verified`
 * ones for execution, in cash after a supervisor's approval.
 */
export async function refundQueue(db: Kysely<ReadModelTables>, query: { status: 'requested' | 'verified'; branch?: string; limit: number }): Promise<RefundQueueItem[]> {
  let q = db
    .selectFrom('refunds as r')
    .innerJoin('complaint_states as s', 's.id', 'r.complaint_id')
    .select(['r.id', 'r.complaint_id', 'r.branch', 'r.status', 'r.amount_claimed_fen', 'r.amount_fen', 'r.requested_at', 'r.verify_due_at', 'r.verified_at', 's.state'])
    .where('r.status', '=', query.status);
  if (query.branch) q = q.where('r.branch', '=', query.branch);
  const rows = await q.orderBy(query.status === 'requested' ? 'r.verify_due_at' : 'r.verified_at').orderBy('r.id').limit(query.limit).execute();
  return rows.map((r) => {
    // the approval is in the folded state only (the refunds table has no column for it)
    const complaint = JSON.parse(r.state) as Pick<ComplaintCase, 'refunds'>;
    const refund = complaint.refunds.find((f) => f.id === r.id);
    return {
      refundId: r.id,
      complaintId: r.complaint_id,
      branch: r.branch,
      status: r.status,
      amountClaimed: r.amount_claimed_fen / 100,
      amount: r.amount_fen === null ? null : r.amount_fen / 100,
      requestedAt: r.requested_at,
      verifyDueAt: r.verify_due_at,
      verifiedAt: r.verified_at,
      cashApproved: refund?.cashApprovedBy !== undefined,
    };
  });
}

import { PersonalDataReadsTable } from './personal-data-reads.projection';
import { PreventiveMeasuresTable } from './preventive-measures.projection';
import { StatsRollupTables } from './stats-rollups';

/**
 * The read-model tables, as Kysely sees them. Times are ISO-8601 UTC text of
 * one fixed width (`2026-11-27T09:00:00.000Z`), so they compare and sort the
 * same on SQLite and PostgreSQL; flags are 0/1 integers for the same reason.
 */
export interface ComplaintsTable {
  id: string;
  /** the position of the last event folded into the complaint (its state is in complaint_states) */
  last_position: number;
  msisdn: string;
  customer_name: string | null;
  vip: number;
  group_customer: number;
  channel: string;
  branch: string;
  hall: string | null;
  category: string;
  subcategory: string | null;
  first_category: string;
  first_subcategory: string | null;
  level: number;
  repeat_complaint: number;
  status: string;
  open: number;
  held_by: string;
  registered_at: string;
  registered_by: string | null;
  /** the desk agent who holds it: the registering agent until an acknowledged handover */
  holder: string | null;
  /** position of the handover that set `holder` (0: none) */
  holder_position: number;
  due_at: string;
  appeal_risk_at: string;
  resolved_on_site: number;
  resolved_at: string | null;
  answered_at: string | null;
  satisfied: number | null;
  satisfaction_at: string | null;
  escalations: number;
  /** when it was first escalated, and first escalated because the customer was not satisfied (null: never) */
  first_escalated_at: string | null;
  unsatisfied_escalated_at: string | null;
  reopens: number;
  reclassifications: number;
  work_orders: number;
  forwards: number;
  returns: number;
  archived_at: string | null;
  updated_at: string;
  /** the position and start of its open timeline version: where the next change closes it */
  timeline_position: number;
  timeline_from: string;
}

/** The folded domain state of each complaint, as JSON: the columns of `complaints` are derived from it. */
export interface ComplaintStatesTable {
  id: string;
  state: string;
}

/** One row per state of a complaint that a queue cares about, valid from one instant to the next: asOf answers read it. */
export interface ComplaintTimelineTable {
  complaint_id: string;
  position: number;
  valid_from: string;
  valid_to: string | null;
  status: string;
  open: number;
  branch: string;
  channel: string;
  category: string;
  level: number;
  vip: number;
  held_by: string;
  due_at: string;
  appeal_risk_at: string;
  registered_at: string;
}

/** One row per department hop of a work order: each hop has its own one-hour clock, charged to its department. */
export interface WorkOrderHopsTable {
  work_order_id: string;
  hop: number;
  complaint_id: string;
  department: string;
  branch: string;
  category: string;
  level: number;
  vip: number;
  started_at: string;
  reply_due_at: string;
  ended_at: string | null;
  /** replied, forwarded; null while the department holds it */
  outcome: string | null;
  /** 1 when it ended by its due time; null while open */
  on_time: number | null;
  /** seconds from receipt to the end of the hop */
  handling_seconds: number | null;
}

export interface RefundsTable {
  id: string;
  complaint_id: string;
  branch: string;
  status: string;
  amount_claimed_fen: number;
  amount_fen: number | null;
  method: string | null;
  requested_at: string;
  verify_due_at: string;
  verified_at: string | null;
  verified_on_time: number | null;
  executed_at: string | null;
}

export interface EscalationsTable {
  complaint_id: string;
  seq: number;
  branch: string;
  escalated_at: string;
  from_tier: string;
  to_tier: string;
  trigger_kind: string;
}

/** Every pending deadline of every running clock: what the scheduler fires. */
export interface DeadlinesTable {
  id: string;
  complaint_id: string;
  clock: string;
  subject: string;
  mark: string;
  due_at: string;
  fire_at: string;
}

/** Handovers recorded, so their acknowledgement can move the items they list. */
export interface HandoversTable {
  id: string;
  to_agent: string;
  complaint_ids: string;
}

export interface ReadModelTables extends StatsRollupTables {
  deadlines: DeadlinesTable;
  handovers: HandoversTable;
  preventive_measures: PreventiveMeasuresTable;
  personal_data_reads: PersonalDataReadsTable;
  complaints: ComplaintsTable;
  complaint_states: ComplaintStatesTable;
  complaint_timeline: ComplaintTimelineTable;
  work_order_hops: WorkOrderHopsTable;
  refunds: RefundsTable;
  escalations: EscalationsTable;
}

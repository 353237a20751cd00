import { CustomerQueryState } from '../query/customer-query';
import { CallbackState } from '../callback/callback';
import { RefundState } from '../refund/refund.state';
import { Instant } from '../shared/time';
import { WorkOrderState } from '../work-order/work-order.state';
import {
  ComplaintCategory,
  ComplaintChannel,
  ComplaintLevel,
  Contact,
  ContactMethod,
  Customer,
  EscalationTier,
  EscalationTrigger,
  LevelRaise,
} from './complaint.types';

/**
 * - registered: accepted, nothing done yet
 * - dispatched: at least one work order is with a department
 * - in_progress: no work order open and no resolution yet (after a return, an unresolved reply, or an unsatisfied customer)
 * - resolved: a resolution exists (a department resolved it); the customer has not been answered
 * - answered: the customer has the final answer (or it was resolved on site); awaiting satisfaction
 * - satisfied: the customer is satisfied; it may be archived
 * - archived: closed (归档)
 */
export type ComplaintStatus = 'registered' | 'dispatched' | 'in_progress' | 'resolved' | 'answered' | 'satisfied' | 'archived';

export interface Escalation {
  from: EscalationTier;
  to: EscalationTier;
  trigger: EscalationTrigger;
  reason: string;
  escalatedAt: Instant;
  deadlineId?: string;
}

export interface CustomerReply {
  method: ContactMethod;
  content: string;
  final: boolean;
  repliedAt: Instant;
}

export interface ComplaintCase {
  status: ComplaintStatus;
  id: string;
  channel: ComplaintChannel;
  externalRef?: string;
  customer: Customer;
  branch: string;
  hall?: string;
  category: ComplaintCategory;
  subcategory?: string;
  description: string;
  contact?: Contact;
  baseLevel: ComplaintLevel;
  level: ComplaintLevel;
  levelRaisedBy: LevelRaise[];
  priorComplaints: number;
  registeredAt: Instant;
  dueAt: Instant;
  appealRiskAt: Instant;
  policyVersion: string;
  /** who holds it on the escalation ladder */
  tier: EscalationTier;
  escalations: Escalation[];
  /** in dispatch order */
  workOrders: WorkOrderState[];
  refunds: RefundState[];
  customerReplies: CustomerReply[];
  resolution?: { source: 'on_site' | 'work_order'; text: string; resolvedAt: Instant; workOrderId?: string };
  satisfaction?: { satisfied: boolean; comment?: string; recordedAt: Instant };
  /** 1 for the first resolution cycle, +1 each time an unsatisfied customer reopens it */
  cycle: number;
  /** when the current cycle began (an unsatisfied customer, at the desk or at the callback); absent in the first */
  cycleStartedAt?: Instant;
  /** one callback per resolution cycle, once archived */
  callbacks: CallbackState[];
  /** queries the desk could not answer on the spot, in the order recorded */
  queries: CustomerQueryState[];
  /** deadlines already fired: firing one again writes nothing */
  firedDeadlines: string[];
  /** missed work-order replies so far: the ladder climbs with them */
  workOrderMisses: number;
  /** the level clock; paused while the desk waits for the customer */
  levelClock: { pausedSince?: Instant; pauseReason?: string; pausedMinutes: number };
  /** the latest early warning of the level clock */
  levelWarning?: 'warn50' | 'warn80';
  levelOverdueAt?: Instant;
  appealRiskReachedAt?: Instant;
  archivedAt?: Instant;
}

export type ComplaintState = { status: 'none' } | ComplaintCase;

export function initialComplaintState(): ComplaintState {
  return { status: 'none' };
}

export function isRegistered(state: ComplaintState): state is ComplaintCase {
  return state.status !== 'none';
}

/** The shapes of the API's answers the console reads (API.md; a response may carry more). */
export type ClockWarning = 'warn50' | 'warn80' | null;

export interface DeskQueueItem {
  complaintId: string;
  status: string;
  branch: string;
  channel: string;
  category: string;
  level: number;
  vip: boolean;
  heldBy: string;
  registeredAt: string;
  dueAt: string;
  appealRiskAt: string;
  overdue: boolean;
  appealRisk: boolean;
  warning: ClockWarning;
  secondsLeft: number;
}

export interface DepartmentQueueItem {
  workOrderId: string;
  complaintId: string;
  hop: number;
  department: string;
  branch: string;
  category: string;
  level: number;
  vip: boolean;
  receivedAt: string;
  replyDueAt: string;
  secondsLeft: number;
  overdue: boolean;
  warning: ClockWarning;
}

export interface OverdueQueue {
  asOf: string;
  complaints: DeskQueueItem[];
  workOrders: DepartmentQueueItem[];
  refundVerifications: { refundId: string; complaintId: string; branch: string; requestedAt: string; verifyDueAt: string; secondsOverdue: number }[];
  appealRisk: DeskQueueItem[];
}

export interface WorkOrder {
  id: string;
  department: string;
  status: string;
  dispatchedAt: string;
  replyDueAt: string;
  acceptedAt?: string;
  repliedAt?: string;
  opinion?: string;
  resolved?: boolean;
  returnedAt?: string;
  returnReason?: string;
  note?: string;
  hops: { hop: number; department: string; startedAt: string; replyDueAt: string; endedAt?: string; outcome?: string; overdue?: boolean }[];
  complaintId?: string;
  revision?: number;
}

export interface Refund {
  id: string;
  status: string;
  amountClaimed: number;
  amount?: number;
  accountType: string;
  reason?: string;
  requestedAt: string;
  verifyDueAt: string;
  verifiedAt?: string;
  note?: string;
  cashApproved: boolean;
  method?: string;
  executedAt?: string;
}

export interface Callback {
  id: string;
  cycle: number;
  status: 'scheduled' | 'completed';
  attempt: number;
  dueAt: string;
  outcome?: string;
  attempts: { attempt: number; outcome: string; notes?: string; at: string }[];
}

export interface CustomerQuery {
  id: string;
  question: string;
  department?: string;
  recordedAt: string;
  answerDueAt: string;
  answer?: string;
  answeredAt?: string;
  overdueAt?: string;
}

export interface Complaint {
  id: string;
  status: string;
  channel: string;
  externalRef?: string;
  category: string;
  subcategory?: string;
  level: number;
  baseLevel?: number;
  levelRaisedBy?: string[];
  branch: string;
  hall?: string;
  customer: { msisdn: string; name?: string; vip: boolean; groupCustomer: boolean; accountType: string };
  contact?: { phone?: string; preferredMethod?: string };
  description: string;
  registeredAt: string;
  dueAt: string;
  appealRiskAt: string;
  heldBy: string;
  resolution?: { source: 'on_site' | 'work_order'; text: string; resolvedAt: string; workOrderId?: string };
  satisfaction?: { satisfied: boolean; comment?: string; recordedAt: string };
  customerReplies: { method: string; content: string; final: boolean; repliedAt: string }[];
  workOrders: WorkOrder[];
  escalations: { from: string; to: string; trigger: string; reason: string; escalatedAt: string }[];
  callbacks: Callback[];
  queries: CustomerQuery[];
  levelClock: { pausedSince?: string; pauseReason?: string; pausedMinutes: number };
  cycle: number;
  refunds: Refund[];
  archivedAt?: string;
  revision: number;
}

export interface HistoryEvent {
  id: string;
  type: string;
  time: string;
  actor?: string;
  revision: number;
  position: number;
  data: Record<string, unknown>;
}

export interface Catalog {
  departments: { id: string; name: string; nameZh: string }[];
  routing: Record<string, string[]>;
  categories: string[];
  channels: string[];
  contactMethods: string[];
  accountTypes: string[];
  miitClasses: Record<string, string>;
}

export interface DepartmentStats {
  department: string;
  received: number;
  replied: number;
  forwarded: number;
  judged: number;
  onTime: number;
  compliance: number | null;
  meanReplySeconds: number | null;
  p90ReplySeconds: number | null;
}

export interface StatsSummary {
  from: string;
  to: string;
  asOf: string;
  registered: number;
  byCategory: Record<string, number>;
  byChannel: Record<string, number>;
  byBranch: Record<string, number>;
  byDepartment: DepartmentStats[];
  onSiteResolution: { count: number; rate: number | null };
  replyCompliance: { judged: number; onTime: number; rate: number | null };
  replyTime: { meanSeconds: number | null; p90Seconds: number | null };
  escalation: { count: number; rate: number | null };
  reopen: { count: number; rate: number | null };
  repeatComplaint: { count: number; rate: number | null };
  satisfaction: { asked: number; satisfied: number; rate: number | null };
  archived: number;
  refunds: { requested: number; verified: number; executed: number; executedAmount: number; cash: number };
}

export interface StatsTrend {
  from: string;
  to: string;
  asOf: string;
  days: { date: string; registered: number; byCategory: Record<string, number>; escalations: number; repeats: number }[];
  categoryByMiit: { category: string; miitClass: string; count: number }[];
  escalationsByTrigger: Record<string, number>;
  callbacks: { satisfied: number; unsatisfied: number; unreachable: number; pending: number };
  repeatComplainants: { msisdn: string; complaints: number; lastAt: string }[];
}

export interface RefundQueueItem {
  refundId: string;
  complaintId: string;
  branch: string;
  status: string;
  amountClaimed: number;
  amount: number | null;
  requestedAt: string;
  verifyDueAt: string;
  verifiedAt: string | null;
  cashApproved: boolean;
}

export interface Handover {
  id: string;
  status: 'pending' | 'acknowledged';
  fromAgent: string;
  toAgent: string;
  branch: string;
  note?: string;
  items: { complaintId: string; status: string; openWorkOrders: string[] }[];
  handedOverAt: string;
  acknowledgedAt?: string;
  revision: number;
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

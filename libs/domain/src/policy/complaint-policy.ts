import { ComplaintCategory, ComplaintChannel, ComplaintLevel, EscalationTier } from '../complaint/complaint.types';

/**
 * Everything the manual leaves to configuration: routing, time limits, the
 * escalation ladder. A policy is versioned; the version in force when a
 * complaint was registered is recorded in its first event, so a later policy
 * never rewrites how an old complaint is judged.
 */
export interface ComplaintPolicy {
  version: string;
  /** every department a work order can go to, with its Chinese name */
  departments: Record<string, { name: string; nameZh: string }>;
  /** where a category is dispatched by default (the first is the usual one) */
  routing: Record<ComplaintCategory, string[]>;
  /** minutes a complaint of each level has, from registration (处理时限) */
  levelTimeLimitMinutes: Record<ComplaintLevel, number>;
  /** channels whose complaints are raised one level and escalate straight to marketing */
  raisingChannels: ComplaintChannel[];
  /** prior complaints by the same MSISDN in `repeatWindowDays` that make this one a repeat (3rd or later: 2) */
  repeatThreshold: number;
  repeatWindowDays: number;
  /** minutes a department has to reply to each hop of a work order */
  workOrderReplyMinutes: number;
  /** minutes the accounts room has to verify a refund */
  refundVerifyMinutes: number;
  /** days without a final answer after which a customer may appeal to the regulator */
  appealRiskDays: number;
  /** the ladder, bottom first; manual escalation climbs one rung */
  escalationLadder: EscalationTier[];
  /** where the n-th missed work-order reply on a complaint sends it (the last entry for every further miss) */
  escalationOnWorkOrderMiss: EscalationTier[];
  /** where a customer unsatisfied with the answer sends it */
  escalationOnUnsatisfied: EscalationTier;
  /** the callback after archiving is due within this many minutes */
  callbackWithinMinutes: number;
  /** an unreachable customer is tried again this many minutes later… */
  callbackRetryMinutes: number;
  /** …up to this many attempts in all */
  callbackMaxAttempts: number;
  /** working days (mainland China calendar) to answer a query that could not be answered on the spot */
  queryAnswerWorkingDays: number;
  /** early warnings on every clock, as shares of its span */
  warningMarks: ('warn50' | 'warn80')[];
  /** the MIIT appeal class of each category, so reports set beside the regulator's; a subcategory may differ from its category */
  miitClasses: { byCategory: Record<ComplaintCategory, MiitClass>; bySubcategory: Record<string, MiitClass> };
}

/** MIIT's three classes of appeal statistics. */
export type MiitClass = 'user_service' | 'billing_dispute' | 'network_quality';

export const MIIT_CLASS_NAMES: Record<MiitClass, string> = {
  user_service: '用户服务',
  billing_dispute: '收费争议',
  network_quality: '网络质量',
};

export function miitClassOf(policy: ComplaintPolicy, category: ComplaintCategory, subcategory?: string): MiitClass {
  return (subcategory !== undefined && policy.miitClasses.bySubcategory[subcategory]) || policy.miitClasses.byCategory[category];
}

export const DEFAULT_POLICY: ComplaintPolicy = {
  version: '2026.1',
  departments: {
    'billing-center': { name: 'Branch billing center', nameZh: '分公司计费中心' },
    support: { name: 'Branch support department', nameZh: '分公司支撑部' },
    eoms: { name: 'Network operations (EOMS)', nameZh: '网络运维（EOMS）' },
    'customer-service': { name: 'Branch customer service department', nameZh: '分公司客服部' },
    data: { name: 'Branch data department (MISC)', nameZh: '分公司数据部' },
    'branch-supervisor': { name: "Dispatching branch's supervisor", nameZh: '分公司值班主管' },
    'branch-customer-supervisor': { name: 'Branch customer supervisor', nameZh: '分公司客户主管' },
    'marketing-cs': { name: 'Marketing customer-service management', nameZh: '市场部客户服务管理' },
  },
  routing: {
    billing: ['billing-center', 'support'],
    network: ['eoms'],
    service: ['customer-service'],
    vas: ['data'],
  },
  levelTimeLimitMinutes: { 1: 48 * 60, 2: 24 * 60, 3: 4 * 60 },
  raisingChannels: ['consumer_association', 'provincial'],
  repeatThreshold: 2,
  repeatWindowDays: 30,
  workOrderReplyMinutes: 60,
  refundVerifyMinutes: 10,
  appealRiskDays: 15,
  escalationLadder: ['desk', 'branch-supervisor', 'branch-customer-supervisor', 'marketing-cs'],
  escalationOnWorkOrderMiss: ['branch-supervisor', 'branch-customer-supervisor', 'marketing-cs'],
  escalationOnUnsatisfied: 'branch-customer-supervisor',
  warningMarks: ['warn50', 'warn80'],
  callbackWithinMinutes: 24 * 60,
  callbackRetryMinutes: 120,
  callbackMaxAttempts: 3,
  queryAnswerWorkingDays: 3,
  miitClasses: {
    // Monternet complaints are mostly about charges for services the customer says they never ordered
    byCategory: { billing: 'billing_dispute', network: 'network_quality', service: 'user_service', vas: 'billing_dispute' },
    bySubcategory: {},
  },
};

export function isKnownDepartment(policy: ComplaintPolicy, department: string): boolean {
  return Object.prototype.hasOwnProperty.call(policy.departments, department);
}

/**
 * Every policy version ever in force. A complaint is judged by the version
 * recorded when it was registered (its clocks, its ladder), so a new policy
 * never rewrites how an old complaint is judged. Add a version here, never
 * change one.
 */
export type PolicyBook = Readonly<Record<string, ComplaintPolicy>>;

export const POLICY_BOOK: PolicyBook = { [DEFAULT_POLICY.version]: DEFAULT_POLICY };

/** The policy a complaint registered under `version` is judged by; the current one for a version unknown here. */
export function policyInForce(book: PolicyBook, version: string | undefined, current: ComplaintPolicy): ComplaintPolicy {
  return (version !== undefined && book[version]) || current;
}

/** The policies in force: the one new complaints and new clocks are judged by, and every version ever in force. */
export interface PoliciesInForce {
  /** new complaints are registered under this one, and every clock started now is judged by it */
  current: ComplaintPolicy;
  /** every version a complaint or a clock may have been judged by, by version */
  book: PolicyBook;
}

/**
 * A clock is judged by the policy in force when it started. So a registered
 * complaint is judged by two: its own (the version it was registered under:
 * its level time limit, its appeal risk, its escalation ladder) and the one in
 * force now, for the clocks it starts now (a department's reply hour, a
 * refund's verification, a callback attempt, a query's answer). Such a clock
 * records its version when it is not the complaint's own, and is judged by it
 * for good: a later policy rewrites nothing.
 */
export interface JudgingPolicies {
  own: ComplaintPolicy;
  current: ComplaintPolicy;
  /** the policy of a clock that recorded `version` (none recorded: the complaint's own) */
  of(version: string | undefined): ComplaintPolicy;
}

export function judgingPolicies(own: ComplaintPolicy, inForce: PoliciesInForce = { current: own, book: { [own.version]: own } }): JudgingPolicies {
  return { own, current: inForce.current, of: (version) => (version !== undefined && inForce.book[version]) || own };
}

/** The policies that judge a registered complaint and its clocks, from the policies in force. */
export function judgingPoliciesOf(complaint: { policyVersion: string }, inForce: PoliciesInForce): JudgingPolicies {
  return judgingPolicies(policyInForce(inForce.book, complaint.policyVersion, inForce.current), inForce);
}

/** What an event that starts a clock records of its policy: the version, when it is not the complaint's own. */
export function clockPolicyVersion(complaint: { policyVersion: string }, policy: ComplaintPolicy): { policyVersion?: string } {
  return policy.version === complaint.policyVersion ? {} : { policyVersion: policy.version };
}

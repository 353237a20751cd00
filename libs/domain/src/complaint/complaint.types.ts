/** Value types of a complaint, shared by its events, commands and state. */

/** Where a complaint came from (§17 2.2 流程范围). */
export const COMPLAINT_CHANNELS = [
  'business_hall', // 自办营业厅
  'branch', // 六区县分公司
  '10086', // 10086 热线
  'green_net', // 10086 绿网
  'gm_hotline', // 总经理服务热线
  'special', // 特殊渠道
  'partner', // 合作渠道
  'phone_repair', // 手机维修
  'letter', // 信函
  'website', // 网站
  'consumer_association', // 消协等社会监督机构
  'provincial', // 集团下发省公司投诉
  'account_manager', // VIP / 集团客户经理
] as const;
export type ComplaintChannel = (typeof COMPLAINT_CHANNELS)[number];

export const COMPLAINT_CATEGORIES = ['billing', 'network', 'service', 'vas'] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];

export const COMPLAINT_LEVELS = [1, 2, 3] as const;
export type ComplaintLevel = (typeof COMPLAINT_LEVELS)[number];

export const ACCOUNT_TYPES = ['personal', 'corporate'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export const CONTACT_METHODS = ['phone', 'sms', 'letter', 'in_person'] as const;
export type ContactMethod = (typeof CONTACT_METHODS)[number];

export interface Customer {
  msisdn: string;
  name?: string;
  vip: boolean;
  groupCustomer: boolean;
  accountType: AccountType;
}

export interface Contact {
  phone?: string;
  preferredMethod?: ContactMethod;
}

/**
 * Who holds an escalated complaint, bottom up: the registering desk, the
 * dispatching branch's supervisor, the branch customer supervisor
 * (分公司客户主管), marketing customer-service management (市场部客户服务管理).
 */
export type EscalationTier = 'desk' | 'branch-supervisor' | 'branch-customer-supervisor' | 'marketing-cs';

/** Why the level is above the one classified. */
export type LevelRaise = 'vip' | 'group_customer' | 'repeat_complainant' | 'raising_channel';

export type EscalationTrigger = 'manual' | 'customer_unsatisfied' | 'work_order_overdue';

import { ComplaintCategory, ComplaintChannel, ContactMethod } from '@complaints/domain';
import { Rng } from './prng';

/**
 * What the demo's traffic is made of: branches, channels, sub-categories and
 * the words people write. Weights are relative.
 */

/** The city branch and the six district/county branches (六区县分公司). */
export const BRANCHES: ReadonlyArray<readonly [string, number]> = [
  ['ZG', 30],
  ['GX', 13],
  ['YJ', 12],
  ['LC', 12],
  ['HN', 11],
  ['PQ', 11],
  ['DS', 11],
];

/** halls per branch: `ZG-01` … */
export const HALLS_PER_BRANCH: Readonly<Record<string, number>> = { ZG: 6, GX: 3, YJ: 3, LC: 3, HN: 2, PQ: 2, DS: 2 };

/** Daytime channel mix: 10086 and the halls dominate, the consumer association and the provincial company are rare. */
export const DAYTIME_CHANNELS: ReadonlyArray<readonly [ComplaintChannel, number]> = [
  ['10086', 36],
  ['business_hall', 30],
  ['branch', 6],
  ['green_net', 5],
  ['website', 5],
  ['partner', 4],
  ['account_manager', 3],
  ['phone_repair', 2],
  ['letter', 2],
  ['gm_hotline', 2],
  ['special', 1.5],
  ['consumer_association', 1],
  ['provincial', 0.8],
];

/** At night only the hotline and the website are open. */
export const NIGHT_CHANNELS: ReadonlyArray<readonly [ComplaintChannel, number]> = [
  ['10086', 80],
  ['website', 12],
  ['green_net', 8],
];

/** the share of complaints that arrive at night (21:00 to 08:30) */
export const NIGHT_SHARE = 0.04;

/** Channels whose complaints the 10086 center registers and handles (API.md: the call-center system); the rest are a branch desk's. */
export const CALLCENTER_CHANNELS: ReadonlySet<ComplaintChannel> = new Set(['10086', 'green_net', 'gm_hotline', 'special', 'website', 'provincial']);

/** How often a desk resolves a complaint of the channel on site (the customer is in front of it). */
export const ON_SITE_RATE: Partial<Record<ComplaintChannel, number>> = {
  business_hall: 0.72,
  branch: 0.6,
  phone_repair: 0.6,
  account_manager: 0.5,
  partner: 0.45,
};

export const CATEGORIES: ReadonlyArray<readonly [ComplaintCategory, number]> = [
  ['billing', 40],
  ['network', 22],
  ['service', 23],
  ['vas', 15],
];

export const SUBCATEGORIES: Readonly<Record<ComplaintCategory, ReadonlyArray<readonly [string, number]>>> = {
  billing: [
    ['费用争议', 30],
    ['套餐扣费', 22],
    ['增值业务扣费', 15],
    ['双重扣费', 10],
    ['流量费用', 15],
    ['漫游费用', 8],
  ],
  network: [
    ['无信号', 25],
    ['网速慢', 35],
    ['掉话', 20],
    ['室内覆盖差', 12],
    ['宽带故障', 8],
  ],
  service: [
    ['服务态度', 30],
    ['办理差错', 30],
    ['号卡', 22],
    ['排队时间长', 10],
    ['携号转网', 8],
  ],
  vas: [
    ['梦网订购', 40],
    ['短信扣费', 30],
    ['彩铃', 12],
    ['视频会员', 18],
  ],
};

/** How often a department's reply resolves the complaint, by category. */
export const RESOLVE_RATE: Readonly<Record<ComplaintCategory, number>> = { billing: 0.88, network: 0.75, service: 0.9, vas: 0.85 };

/** How customers of a category are usually answered (the reply method follows the category, §17 step 7). */
export const REPLY_METHODS: Readonly<Record<ComplaintCategory, ReadonlyArray<readonly [ContactMethod, number]>>> = {
  billing: [['phone', 70], ['sms', 25], ['in_person', 5]],
  network: [['phone', 85], ['sms', 15]],
  service: [['phone', 75], ['in_person', 20], ['letter', 5]],
  vas: [['sms', 55], ['phone', 45]],
};

/** China Mobile number ranges, all `1[3-9]…` */
export const MSISDN_PREFIXES = ['134', '135', '136', '137', '138', '139', '147', '150', '151', '152', '157', '158', '159', '172', '178', '182', '183', '184', '187', '188', '195', '197', '198'];

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = [
  '伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀兰', '霞', '平', '刚', '桂英', '建华', '玉兰',
  '志强', '海燕', '俊', '红', '春梅', '晓东', '婷', '鑫', '浩', '宇', '欣怡', '子涵', '梓萱', '思远', '国强', '建国', '丽华', '文', '斌', '辉', '佳', '雪', '琳', '凯', '晨',
];
const COMPANIES = ['临江物流', '恒达建材', '华信电子', '新城置业', '安顺运输', '瑞丰农业', '康宁医药', '金桥商贸', '宏远机械', '博雅教育', '润泽水务', '天诚酒店'];

export function personName(rng: Rng): string {
  return rng.pick([...SURNAMES]) + rng.pick(GIVEN);
}

export function companyName(rng: Rng): string {
  return `${rng.pick(COMPANIES)}有限公司`;
}

const PLACES = ['城东新区', '工业园区', '滨江花园小区', '火车站', '人民医院', '大学城', '经济开发区', '老城区', '高速服务区', '体育中心', '万达广场', '湖畔新村'];
const PLANS = ['5G畅享套餐', '动感地带芒果卡', '全球通尊享套餐', '神州行畅听卡', '和家庭融合套餐'];
const SPS = ['手机报', '游戏点播包', '阅读包', '12580生活播报', '音乐随心听'];
const VIDEOS = ['咪咕视频', '芒果TV', '腾讯视频', '爱奇艺'];
const BUSINESS = ['套餐变更', '补换卡', '过户', '停机保号', '宽带续约'];
const CONSEQUENCES = ['多扣了费用', '号码被误停机', '新套餐未生效', '副卡被取消'];

/** What a complaint is about, in the customer's terms, with the amount in dispute for billing. */
export interface ComplaintStory {
  subcategory: string;
  description: string;
  /** yuan in dispute (billing and value-added services) */
  amount?: number;
  place?: string;
  sp?: string;
}

export function complaintStory(subcategory: string, month: number, hall: string | undefined, rng: Rng): ComplaintStory {
  const amount = rng.yuan(5, 380);
  const a = amount.toFixed(2);
  const place = rng.pick(PLACES);
  const days = rng.int(2, 10);
  const sp = rng.pick(SPS);
  const where = hall ? `${hall}营业厅` : '营业厅';
  const text: Record<string, string> = {
    费用争议: `客户反映${month}月话费${a}元，较以往明显偏高，对扣费项目有异议，要求核查并给予解释。`,
    套餐扣费: `客户称已于上月办理${rng.pick(PLANS)}，但${month}月仍按原套餐扣费，多扣约${a}元。`,
    增值业务扣费: `客户反映账单中出现未订购的增值业务费${a}元，要求取消业务并退费。`,
    双重扣费: `客户反映${month}月流量包被重复扣费两次，共${a}元。`,
    流量费用: `客户反映已关闭移动数据，仍产生套餐外流量费${a}元。`,
    漫游费用: `客户${month}月出境期间产生国际漫游费${a}元，称未收到任何费用提醒短信。`,
    无信号: `客户反映${place}附近手机无信号，已持续${days}天，无法正常通话。`,
    网速慢: `客户反映${place}一带5G网速很慢，晚高峰网页和视频都打不开。`,
    掉话: `客户反映在${place}通话经常掉话，影响工作。`,
    室内覆盖差: `客户反映${place}家中室内信号弱，需要到窗边才能接通电话。`,
    宽带故障: `客户家庭宽带${days}天无法上网，光猫LOS灯红色闪烁，报修后无人上门。`,
    服务态度: `客户反映在${where}办理业务时营业员态度冷淡，解释不耐烦。`,
    办理差错: `客户反映营业员办理${rng.pick(BUSINESS)}时操作错误，导致${rng.pick(CONSEQUENCES)}。`,
    号卡: `客户补换卡后新卡无法注册网络，手机显示无服务。`,
    排队时间长: `客户反映${where}排队等候超过一小时，开放窗口太少。`,
    携号转网: `客户申请携号转出受阻，称被要求先到营业厅办理合约解除。`,
    梦网订购: `客户反映手机被订购了${sp}，本人从未订购，要求退订并退费。`,
    短信扣费: `客户反映每月被扣除短信包费用${a}元，本人不知情。`,
    彩铃: `客户称从未订购彩铃业务，却每月被扣费。`,
    视频会员: `客户反映${rng.pick(VIDEOS)}会员到期后被自动续费${a}元，要求退还。`,
  };
  return { subcategory, description: text[subcategory] ?? `客户反映${subcategory}问题，要求处理。`, amount, place, sp };
}

export const ON_SITE_RESOLUTIONS: Readonly<Record<ComplaintCategory, readonly string[]>> = {
  billing: [
    '已在接待室为客户调取详单逐项解释，客户认可扣费明细。',
    '查实系套餐变更未生效导致多扣，已当场调整并向客户致歉。',
    '已为客户关闭套餐外流量自动续订，并讲解费用提醒设置。',
  ],
  network: [
    '已帮客户检查手机网络设置并开启VoLTE，现场测试通话恢复正常。',
    '为客户更换新卡后信号恢复，现场测试正常。',
    '已登记故障位置，告知客户网络优化计划并赠送流量补偿。',
  ],
  service: [
    '值班经理当面向客户致歉，已为客户重新办理业务并核实生效。',
    '已为客户补办号卡并现场激活，客户确认可以正常使用。',
    '已向客户说明携号转网办理条件，并当场办理授权码。',
  ],
  vas: [
    '已当场为客户退订全部梦网业务，并开通增值业务订购二次确认。',
    '已查询订购记录并向客户解释，客户同意退订处理。',
    '已为客户关闭会员自动续费，并告知退费渠道。',
  ],
};

/** How a refund ended, for what the customer is told. */
export type RefundOutcome = { refunded: true; amount: number; method: 'bill_credit' | 'cash' } | { refunded: false };

const SUPERVISOR_OPINIONS = [
  '客户主管已致电客户沟通，协调相关部门重新处理，问题已解决。',
  '客户主管约见客户，按客户诉求补偿并致歉，客户表示接受。',
];
const MARKETING_OPINIONS = ['市场部客户服务管理已牵头复核，处理意见已与客户确认。', '已按消协转办要求复核处理，并书面答复客户。'];

/** A department's handling opinion (回复处理意见). */
export function departmentOpinion(
  at: { category: ComplaintCategory; department: string; resolved: boolean; refund: boolean },
  story: ComplaintStory,
  month: number,
  rng: Rng,
): string {
  const { category, resolved } = at;
  const place = story.place ?? '该区域';
  if (resolved && at.department === 'branch-customer-supervisor') return rng.pick(SUPERVISOR_OPINIONS);
  if (resolved && at.department === 'marketing-cs') return rng.pick(MARKETING_OPINIONS);
  if (resolved && at.refund && category === 'billing') return '已核实计费数据，涉及多收费用，请帐务室核实退费金额后退还。';
  if (resolved) {
    const options: Record<ComplaintCategory, string[]> = {
      billing: [
        `经核查，系${month}月套餐变更未及时生效导致计费差异，已调整账务并向客户说明。`,
        '核实扣费无误，已将详单及计费规则提供给服务台，请向客户解释。',
        '已核对账单并关闭相关计费项目，后续不再扣费。',
      ],
      network: [
        `已派维护人员现场测试，${place}基站故障已排除，信号恢复正常。`,
        `已调整${place}天线方位角并优化参数，复测网速恢复正常。`,
        '已上门更换光猫，宽带恢复使用。',
      ],
      service: [
        '已约谈当事营业员并进行服务规范培训，按差错考核处理；业务已重新办理。',
        '已核实办理记录并纠正差错，已电话向客户致歉。',
        '号卡问题系写卡失败，已安排免费补卡。',
      ],
      vas: [
        `已退订${story.sp ?? '相关业务'}，查实为SP违规订购，已按规定全额退费。`,
        '已关闭自动续费并退还最近一期费用。',
        '经核查为客户本人短信确认订购，已退订并向客户解释。',
      ],
    };
    return rng.pick(options[category]);
  }
  const pending: Record<ComplaintCategory, string[]> = {
    billing: ['计费数据需支撑部协查，暂无法给出结论。', '需调取话单原始记录，预计三个工作日内答复。'],
    network: [`${place}需新建站点，已列入规划，暂无法解决。`, '故障需协调铁塔公司处理，暂未恢复。'],
    service: ['当事员工休假，待返岗后核实。', '需调取营业厅监控核实，暂无结论。'],
    vas: ['需SP方提供订购记录，已发函核实，待回复。', '订购记录存疑，已提交MISC平台核查。'],
  };
  return rng.pick(pending[category]);
}

export const FORWARD_REASONS = ['非本部门处理范围，转责任部门处理。', '经初步核查属其他部门职责，转派处理。', '工单派错，转相关专业部门。'];

export const RETURN_REASONS = [
  '回复未解决客户实际问题，客户不认可，退单重派。',
  '回复内容过于笼统，未说明处理结果，请重新核查。',
  '回复与客户反映情况不符，退单。',
];

export const MANUAL_ESCALATION_REASONS = [
  'VIP客户多次来电催办，提请主管督办。',
  '客户情绪激动，表示将向工信部申诉。',
  '重复投诉，问题多次处理未果，提请上级协调。',
];

export const UNSATISFIED_COMMENTS = [
  '对处理结果不满意，认为应全额退费。',
  '问题仍未解决，信号依旧很差。',
  '处理太慢，要求给个说法。',
  '对营业员的道歉不认可。',
];

export const CLASSIFY_REASONS = {
  category: ['经核实为其他类问题，重新分类。', '与客户进一步沟通后调整分类。'],
  level: ['客户反映问题影响范围较大，提高投诉级别。', '客户情绪激烈，有升级投诉风险，提高级别。'],
};

export function dispatchNote(vip: boolean, rng: Rng): string {
  const hours = rng.pick([2, 4, 24]);
  const agreed = `已与客户约定${hours}小时内${rng.pick(['电话', '短信'])}回复。`;
  return vip ? `VIP客户，请优先处理。${agreed}` : agreed;
}

export function finalReply(subcategory: string | undefined, resolution: string, refund?: RefundOutcome): string {
  const money = !refund
    ? ''
    : refund.refunded
      ? `经帐务室核实，${refund.amount.toFixed(2)}元已${refund.method === 'cash' ? '以现金' : '退回您的话费账户'}。`
      : '经帐务室核实，该笔费用扣费无误，不予退费。';
  return `您好，您反映的${subcategory ?? ''}问题已处理：${resolution}${money}如有疑问请拨打10086。`;
}

export function interimReply(rng: Rng): string {
  return `您好，您的投诉我们正在处理中，将在${rng.pick([4, 24, 48])}小时内给您答复，感谢您的耐心。`;
}

export const REFUND_NOTES = {
  full: (amount: number) => `核实多扣${amount.toFixed(2)}元，同意退费。`,
  partial: (amount: number) => `核实部分费用属实，同意退还${amount.toFixed(2)}元。`,
  rejected: ['经核查扣费无误，不予退费。', '该费用为客户本人订购产生，不予退费。'],
};

export const SUPERVISOR_RESOLUTIONS = [
  '客户主管致电客户致歉，补偿话费并承诺跟踪后续使用情况。',
  '客户主管约见客户当面沟通，已按客户诉求处理完毕。',
  '客户主管协调相关部门重新处理，客户问题已解决。',
];

export const CALLBACK_NOTES = {
  satisfied: ['客户表示问题已解决，对处理结果满意。', '客户表示后续使用正常，感谢回访。', '客户认可处理结果。'],
  unreachable: ['电话无人接听。', '客户关机。', '客户正忙，约定稍后回访。'],
  unsatisfied: ['客户表示问题再次出现。', '客户对退费金额仍有异议。', '客户认为处理敷衍，要求上级处理。'],
} as const;

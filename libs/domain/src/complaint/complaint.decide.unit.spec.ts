import { CommandRefused, ComplaintChannel, ComplaintCommand, ComplaintCommandType, complaintDecider, DEFAULT_POLICY, LevelRaise, NotFound } from '@complaints/domain';
import {
  aComplaintInProgress,
  aCustomer,
  aDispatchedComplaint,
  anAnsweredComplaint,
  anArchivedComplaint,
  aRegisteredComplaint,
  aResolvedComplaint,
  aSatisfiedComplaint,
  archived,
  callbackScheduled,
  classified,
  cmd,
  COMPLAINT_ID,
  customerReplied,
  deciderSpecification,
  dispatched,
  escalated,
  registerComplaint,
  registered,
  replied,
  resolvedOnSite,
  returned,
  satisfactionRecorded,
  t,
} from '@complaints/testing';

const spec = deciderSpecification(complaintDecider());

/** One of each command but registration, keyed by type so a new command must be added here. */
const everyCommandButRegister: Record<Exclude<ComplaintCommandType, 'RegisterComplaint' | 'FireDeadline' | 'CompleteCallback'>, ComplaintCommand> = {
  PauseLevelClock: cmd('PauseLevelClock', { reason: 'waiting for the customer to send the bill' }),
  ResumeLevelClock: cmd('ResumeLevelClock', {}),
  RecordCustomerQuery: cmd('RecordCustomerQuery', { queryId: 'Q9', question: 'when does the new tariff start?' }),
  AnswerCustomerQuery: cmd('AnswerCustomerQuery', { queryId: 'Q1', answer: 'on the 1st of next month' }),
  ClassifyComplaint: cmd('ClassifyComplaint', { category: 'network' }),
  ResolveOnSite: cmd('ResolveOnSite', { resolution: 'explained the tariff' }),
  ReplyToCustomer: cmd('ReplyToCustomer', { method: 'phone', content: 'we are on it' }),
  RecordSatisfaction: cmd('RecordSatisfaction', { satisfied: true }),
  EscalateComplaint: cmd('EscalateComplaint', { reason: 'customer threatens to appeal' }),
  ArchiveComplaint: cmd('ArchiveComplaint', {}),
  DispatchWorkOrder: cmd('DispatchWorkOrder', { workOrderId: 'W9', department: 'support' }),
  AcceptWorkOrder: cmd('AcceptWorkOrder', { workOrderId: 'W1' }),
  ForwardWorkOrder: cmd('ForwardWorkOrder', { workOrderId: 'W1', department: 'support', reason: 'not ours' }),
  ReplyToWorkOrder: cmd('ReplyToWorkOrder', { workOrderId: 'W1', opinion: 'fixed', resolved: true }),
  ReturnWorkOrder: cmd('ReturnWorkOrder', { workOrderId: 'W1', reason: 'not effective' }),
  RequestRefund: cmd('RequestRefund', { refundId: 'R9', amountClaimedFen: 500 }),
  VerifyRefund: cmd('VerifyRefund', { refundId: 'R1', refundable: true }),
  ApproveCashRefund: cmd('ApproveCashRefund', { refundId: 'R1' }),
  ExecuteRefund: cmd('ExecuteRefund', { refundId: 'R1', method: 'bill_credit', formSigned: true, idChecked: true }),
};

describe('registering a complaint', () => {
  it('registers an ordinary complaint at level 1, due in 48 hours, at risk of appeal after 15 days, under the policy in force', () => {
    spec
      .given([])
      .when(registerComplaint({ externalRef: 'HALL-2026-0001', subcategory: 'double-charge' }, t('09:00')))
      .then([
        {
          type: 'ComplaintRegistered',
          data: {
            complaintId: COMPLAINT_ID,
            channel: 'business_hall',
            externalRef: 'HALL-2026-0001',
            customer: aCustomer(),
            branch: 'city-east',
            hall: 'hall-01',
            category: 'billing',
            subcategory: 'double-charge',
            description: 'charged twice for the March data package',
            contact: { phone: '13812345678', preferredMethod: 'sms' },
            baseLevel: 1,
            level: 1,
            levelRaisedBy: [],
            priorComplaints: 0,
            registeredAt: '2026-03-02T09:00:00.000Z',
            dueAt: '2026-03-04T09:00:00.000Z',
            appealRiskAt: '2026-03-17T09:00:00.000Z',
            policyVersion: '2026.1',
          },
        },
      ]);
  });

  describe('raises the level by one, due in 24 hours, for', () => {
    const cases: [string, Parameters<typeof registerComplaint>[0], LevelRaise][] = [
      ['a VIP customer', { customer: aCustomer({ vip: true }) }, 'vip'],
      ['a group customer', { customer: aCustomer({ groupCustomer: true }) }, 'group_customer'],
      ['a repeat complainant (two earlier complaints in the window: this is the third)', { priorComplaints: 2 }, 'repeat_complainant'],
      ['a letter forwarded by the consumer association', { channel: 'consumer_association' }, 'raising_channel'],
      ['a complaint sent down by the provincial company', { channel: 'provincial' }, 'raising_channel'],
    ];

    it.each(cases)('%s', (_who, overrides, raise) => {
      spec
        .given([])
        .when(registerComplaint(overrides))
        .then([registered({ ...overrides, level: 2, levelRaisedBy: [raise], dueAt: '2026-03-03T09:00:00.000Z' })]);
    });
  });

  it('does not raise a second complaint by the same number: the repeat starts at the third', () => {
    spec
      .given([])
      .when(registerComplaint({ priorComplaints: 1 }))
      .then([registered({ priorComplaints: 1 })]);
  });

  it.each<ComplaintChannel>(['10086', 'green_net', 'gm_hotline', 'letter', 'website', 'account_manager'])('does not raise a complaint arriving by %s', (channel) => {
    spec
      .given([])
      .when(registerComplaint({ channel }))
      .then([registered({ channel })]);
  });

  it('raises only once however many reasons apply, and records every reason', () => {
    spec
      .given([])
      .when(registerComplaint({ customer: aCustomer({ vip: true, groupCustomer: true }), priorComplaints: 5, channel: 'consumer_association' }))
      .then([
        registered({
          customer: aCustomer({ vip: true, groupCustomer: true }),
          priorComplaints: 5,
          channel: 'consumer_association',
          level: 2,
          levelRaisedBy: ['vip', 'group_customer', 'repeat_complainant', 'raising_channel'],
          dueAt: '2026-03-03T09:00:00.000Z',
        }),
      ]);
  });

  it('is judged by the policy passed in, and records its version', () => {
    const draft = { ...DEFAULT_POLICY, version: 'draft-7', repeatThreshold: 4, appealRiskDays: 10 };
    deciderSpecification(complaintDecider(draft))
      .given([])
      .when(registerComplaint({ priorComplaints: 3 }))
      .then([registered({ priorComplaints: 3, appealRiskAt: '2026-03-12T09:00:00.000Z', policyVersion: 'draft-7' })]);
  });

  it('refuses to register the same complaint twice', () => {
    spec
      .given(aRegisteredComplaint())
      .when(registerComplaint())
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('complaint.already_registered'));
  });
});

describe('classifying a complaint', () => {
  it('records a reclassification with what it was before', () => {
    spec
      .given(aRegisteredComplaint())
      .when(cmd('ClassifyComplaint', { category: 'vas', subcategory: 'sp-subscription', reason: 'an SP subscription, not a billing error' }, t('09:02')))
      .then([
        classified({
          category: 'vas',
          subcategory: 'sp-subscription',
          reason: 'an SP subscription, not a billing error',
          previous: { category: 'billing', subcategory: undefined, level: 1 },
        }),
      ]);
  });

  it('moves the due time when the level changes, still counted from registration', () => {
    spec
      .given(aRegisteredComplaint())
      .when(cmd('ClassifyComplaint', { category: 'billing', level: 3 }, t('09:30')))
      .then([
        classified({
          subcategory: undefined,
          baseLevel: 3,
          level: 3,
          previous: { category: 'billing', subcategory: undefined, level: 1 },
          dueAt: '2026-03-02T13:00:00.000Z',
          classifiedAt: t('09:30'),
        }),
      ]);
  });

  it('moves the due time back when the level is lowered', () => {
    spec
      .given([registered(), classified({ baseLevel: 3, level: 3, dueAt: t('13:00') })])
      .when(cmd('ClassifyComplaint', { category: 'billing', subcategory: 'double-charge', level: 1 }, t('09:40')))
      .then([
        classified({
          previous: { category: 'billing', subcategory: 'double-charge', level: 3 },
          dueAt: '2026-03-04T09:00:00.000Z',
          classifiedAt: t('09:40'),
        }),
      ]);
  });

  it('keeps the raise of a VIP when the level is classified: level 2 becomes 3', () => {
    spec
      .given([registered({ customer: aCustomer({ vip: true }), level: 2, levelRaisedBy: ['vip'], dueAt: '2026-03-03T09:00:00.000Z' })])
      .when(cmd('ClassifyComplaint', { category: 'billing', subcategory: 'double-charge', level: 2 }, t('09:02')))
      .then([classified({ baseLevel: 2, level: 3, previous: { category: 'billing', subcategory: undefined, level: 2 }, dueAt: t('13:00') })]);
  });

  it('caps a raised level at 3', () => {
    spec
      .given([registered({ channel: 'provincial', level: 2, levelRaisedBy: ['raising_channel'], dueAt: '2026-03-03T09:00:00.000Z' })])
      .when(cmd('ClassifyComplaint', { category: 'billing', subcategory: 'double-charge', level: 3 }, t('09:02')))
      .then([classified({ baseLevel: 3, level: 3, previous: { category: 'billing', subcategory: undefined, level: 2 }, dueAt: t('13:00') })]);
  });

  it('does nothing when the classification is the same as the registered one', () => {
    spec
      .given(aRegisteredComplaint())
      .when(cmd('ClassifyComplaint', { category: 'billing', level: 1 }))
      .thenNothingHappens();
  });

  it('does nothing when the same classification is sent again', () => {
    spec
      .given([registered(), classified({ category: 'network', subcategory: 'no-signal', baseLevel: 2, level: 2, dueAt: '2026-03-03T09:00:00.000Z' })])
      .when(cmd('ClassifyComplaint', { category: 'network', subcategory: 'no-signal', level: 2 }))
      .thenNothingHappens();
  });
});

describe('resolving a complaint on site', () => {
  it('resolves a registered complaint at the desk', () => {
    spec
      .given(aRegisteredComplaint())
      .when(cmd('ResolveOnSite', { resolution: 'duplicate charge reversed at the desk' }, t('09:20')))
      .then([resolvedOnSite()]);
  });

  it('resolves at the desk a complaint whose work order was returned', () => {
    spec
      .given([...aResolvedComplaint(), returned()])
      .when(cmd('ResolveOnSite', { resolution: 'explained the package rules in the reception room' }, t('09:50')))
      .then([resolvedOnSite({ resolution: 'explained the package rules in the reception room', resolvedAt: t('09:50') })]);
  });

  it('refuses while a work order is still with a department', () => {
    spec
      .given(aDispatchedComplaint())
      .when(cmd('ResolveOnSite', { resolution: 'reversed' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('complaint.work_order_open'));
  });

  it.each([
    ['resolved by a department', aResolvedComplaint()],
    ['answered', anAnsweredComplaint()],
    ['satisfied', aSatisfiedComplaint()],
  ])('refuses a complaint already %s', (_status, history) => {
    spec
      .given(history)
      .when(cmd('ResolveOnSite', { resolution: 'reversed' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('complaint.not_open_for_resolution'));
  });
});

describe('replying to the customer', () => {
  it.each([
    ['registered', aRegisteredComplaint()],
    ['with a department', aDispatchedComplaint()],
    ['in progress after an unresolved reply', aComplaintInProgress()],
  ])('gives an interim reply while the complaint is %s', (_status, history) => {
    spec
      .given(history)
      .when(cmd('ReplyToCustomer', { method: 'phone', content: 'the billing center is checking; we call you back by 15:00' }, t('09:30')))
      .then([customerReplied({ method: 'phone', content: 'the billing center is checking; we call you back by 15:00', final: false, repliedAt: t('09:30') })]);
  });

  it('gives the final answer once the complaint is resolved', () => {
    spec
      .given(aResolvedComplaint())
      .when(cmd('ReplyToCustomer', { method: 'sms', content: 'the duplicate charge is reversed' }, t('10:00')))
      .then([customerReplied({ final: true })]);
  });
});

describe('recording satisfaction', () => {
  it('records a satisfied customer', () => {
    spec
      .given(anAnsweredComplaint())
      .when(cmd('RecordSatisfaction', { satisfied: true, comment: 'quick and polite' }, t('10:30')))
      .then([satisfactionRecorded({ comment: 'quick and polite' })]);
  });

  it('records a satisfied customer after an on-site resolution', () => {
    spec
      .given([registered(), resolvedOnSite()])
      .when(cmd('RecordSatisfaction', { satisfied: true }, t('09:25')))
      .then([satisfactionRecorded({ recordedAt: t('09:25') })]);
  });

  it('does nothing when a satisfied customer is recorded again', () => {
    spec
      .given(aSatisfiedComplaint())
      .when(cmd('RecordSatisfaction', { satisfied: true }, t('10:31')))
      .thenNothingHappens();
  });

  it('passes an unsatisfied customer to the branch customer supervisor', () => {
    spec
      .given(anAnsweredComplaint())
      .when(cmd('RecordSatisfaction', { satisfied: false, comment: 'I want compensation' }, t('10:30')))
      .then([
        satisfactionRecorded({ satisfied: false, comment: 'I want compensation' }),
        escalated({ reason: 'customer not satisfied: I want compensation' }),
      ]);
  });

  it('climbs one more rung when the customer is unsatisfied again in the next cycle', () => {
    spec
      .given([
        ...anAnsweredComplaint(),
        satisfactionRecorded({ satisfied: false }),
        escalated(),
        resolvedOnSite({ resolvedAt: t('11:00') }),
      ])
      .when(cmd('RecordSatisfaction', { satisfied: false }, t('11:10')))
      .then([
        satisfactionRecorded({ satisfied: false, recordedAt: t('11:10') }),
        escalated({ from: 'branch-customer-supervisor', to: 'marketing-cs', escalatedAt: t('11:10') }),
      ]);
  });

  it('only records an unsatisfied customer once the complaint is at the top of the ladder', () => {
    spec
      .given([
        ...anAnsweredComplaint(),
        escalated({ trigger: 'manual', escalatedAt: t('10:10') }),
        escalated({ from: 'branch-customer-supervisor', to: 'marketing-cs', trigger: 'manual', escalatedAt: t('10:20') }),
      ])
      .when(cmd('RecordSatisfaction', { satisfied: false }, t('10:30')))
      .then([satisfactionRecorded({ satisfied: false })]);
  });

  it.each<ComplaintChannel>(['consumer_association', 'provincial'])('passes an unsatisfied customer of the %s channel straight to marketing customer service', (channel) => {
    spec
      .given([registered({ channel, level: 2, levelRaisedBy: ['raising_channel'], dueAt: '2026-03-03T09:00:00.000Z' }), dispatched(), replied(), customerReplied()])
      .when(cmd('RecordSatisfaction', { satisfied: false }, t('10:30')))
      .then([satisfactionRecorded({ satisfied: false }), escalated({ to: 'marketing-cs' })]);
  });

  it.each([
    ['registered', aRegisteredComplaint()],
    ['with a department', aDispatchedComplaint()],
    ['in progress', aComplaintInProgress()],
    ['resolved but not yet told', aResolvedComplaint()],
  ])('refuses before the customer was answered: %s', (_status, history) => {
    spec
      .given(history)
      .when(cmd('RecordSatisfaction', { satisfied: true }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('complaint.not_answered'));
  });

  it('refuses to turn a satisfied customer into an unsatisfied one', () => {
    spec
      .given(aSatisfiedComplaint())
      .when(cmd('RecordSatisfaction', { satisfied: false }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('complaint.not_answered'));
  });
});

describe('escalating a complaint', () => {
  it("passes it from the desk to the dispatching branch's supervisor, the first rung", () => {
    spec
      .given(aDispatchedComplaint())
      .when(cmd('EscalateComplaint', { reason: 'customer threatens to appeal to the regulator' }, t('09:30')))
      .then([escalated({ to: 'branch-supervisor', trigger: 'manual', reason: 'customer threatens to appeal to the regulator', escalatedAt: t('09:30') })]);
  });

  it("passes it from the branch's supervisor to the branch customer supervisor", () => {
    spec
      .given([...aDispatchedComplaint(), escalated({ to: 'branch-supervisor', trigger: 'manual', escalatedAt: t('09:30') })])
      .when(cmd('EscalateComplaint', { reason: 'the supervisor cannot settle it' }, t('09:35')))
      .then([escalated({ from: 'branch-supervisor', to: 'branch-customer-supervisor', trigger: 'manual', reason: 'the supervisor cannot settle it', escalatedAt: t('09:35') })]);
  });

  it('passes it from the branch customer supervisor to marketing customer service', () => {
    spec
      .given([...aDispatchedComplaint(), escalated({ trigger: 'manual', escalatedAt: t('09:30') })])
      .when(cmd('EscalateComplaint', { reason: 'branch cannot settle it' }, t('09:40')))
      .then([escalated({ from: 'branch-customer-supervisor', to: 'marketing-cs', trigger: 'manual', reason: 'branch cannot settle it', escalatedAt: t('09:40') })]);
  });

  it('passes a consumer-association complaint straight to marketing customer service', () => {
    spec
      .given([registered({ channel: 'consumer_association', level: 2, levelRaisedBy: ['raising_channel'], dueAt: '2026-03-03T09:00:00.000Z' })])
      .when(cmd('EscalateComplaint', { reason: 'letter from the consumer association' }, t('09:10')))
      .then([escalated({ to: 'marketing-cs', trigger: 'manual', reason: 'letter from the consumer association', escalatedAt: t('09:10') })]);
  });

  it('refuses at the top of the ladder', () => {
    spec
      .given([registered(), escalated({ trigger: 'manual' }), escalated({ from: 'branch-customer-supervisor', to: 'marketing-cs', trigger: 'manual' })])
      .when(cmd('EscalateComplaint', { reason: 'still angry' }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('complaint.escalation_top'));
  });
});

describe('archiving a complaint', () => {
  it('archives a complaint whose customer is satisfied', () => {
    spec
      .given(aSatisfiedComplaint())
      .when(cmd('ArchiveComplaint', {}, t('10:35')))
      .then([archived(), callbackScheduled()]);
  });

  it.each([
    ['registered', aRegisteredComplaint()],
    ['with a department', aDispatchedComplaint()],
    ['resolved', aResolvedComplaint()],
    ['answered', anAnsweredComplaint()],
    ['reopened by an unsatisfied customer', [...anAnsweredComplaint(), satisfactionRecorded({ satisfied: false }), escalated()]],
  ])('refuses a complaint that is %s', (_status, history) => {
    spec
      .given(history)
      .when(cmd('ArchiveComplaint', {}))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('complaint.not_satisfied'));
  });
});

describe('a complaint that was never registered', () => {
  it.each(Object.entries(everyCommandButRegister))('is not found by %s', (_type, command) => {
    spec
      .given([])
      .when(command)
      .thenThrows(NotFound, (e) => expect(e.code).toBe('complaint.not_found'));
  });
});

describe('an archived complaint', () => {
  it.each(Object.entries(everyCommandButRegister))('refuses %s', (_type, command) => {
    spec
      .given(anArchivedComplaint())
      .when(command)
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('complaint.archived'));
  });

  it('refuses a second registration', () => {
    spec
      .given(anArchivedComplaint())
      .when(registerComplaint())
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('complaint.already_registered'));
  });
});

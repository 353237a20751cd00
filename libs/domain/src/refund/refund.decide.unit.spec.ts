import { CommandRefused, ComplaintCategory, complaintDecider, ComplaintEvent, NotFound } from '@complaints/domain';
import {
  aCustomer,
  anAnsweredComplaint,
  aRegisteredComplaint,
  aSatisfiedComplaint,
  archived,
  callbackScheduled,
  BRANCH_MANAGER,
  cashRefundApproved,
  classified,
  cmd,
  deciderSpecification,
  refundExecuted,
  refundRequested,
  refundVerified,
  registered,
  t,
} from '@complaints/testing';

const spec = deciderSpecification(complaintDecider());

/** A billing complaint with refund R1 of 20.00 yuan claimed at 09:15. */
const requested = () => [...aRegisteredComplaint(), refundRequested()];
/** ... that the accounts room found refundable in full at 09:20. */
const verified = () => [...requested(), refundVerified()];
/** ... found not refundable. */
const rejected = () => [...requested(), refundVerified({ refundable: false, amountFen: 0, note: 'the charge is correct' })];
/** ... and credited back to the phone bill at 09:30. */
const executed = () => [...verified(), refundExecuted()];

describe('requesting a refund', () => {
  it('sends a billing complaint to the accounts room with ten minutes to verify it', () => {
    spec
      .given(aRegisteredComplaint())
      .when(cmd('RequestRefund', { refundId: 'R1', amountClaimedFen: 2000, reason: 'charged twice' }, t('09:15')))
      .then([
        {
          type: 'RefundRequested',
          data: {
            complaintId: 'C-1',
            refundId: 'R1',
            amountClaimedFen: 2000,
            reason: 'charged twice',
            accountType: 'personal',
            requestedAt: '2026-03-02T09:15:00.000Z',
            verifyDueAt: '2026-03-02T09:25:00.000Z',
          },
        },
      ]);
  });

  it('records a corporate account, which the accounts room decides on differently', () => {
    spec
      .given([registered({ customer: aCustomer({ accountType: 'corporate' }) })])
      .when(cmd('RequestRefund', { refundId: 'R1', amountClaimedFen: 2000 }, t('09:15')))
      .then([refundRequested({ accountType: 'corporate' })]);
  });

  it('is allowed once a complaint was reclassified as billing', () => {
    spec
      .given([registered({ category: 'service' }), classified({ previous: { category: 'service', level: 1 } })])
      .when(cmd('RequestRefund', { refundId: 'R1', amountClaimedFen: 2000 }, t('09:15')))
      .then([refundRequested()]);
  });

  it.each<ComplaintCategory>(['network', 'service', 'vas'])('refuses a %s complaint', (category) => {
    spec
      .given([registered({ category })])
      .when(cmd('RequestRefund', { refundId: 'R1', amountClaimedFen: 2000 }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('refund.not_billing'));
  });

  it.each([
    ['nothing', 0],
    ['a negative amount', -500],
    ['a fraction of a fen', 12.5],
  ])('refuses a claim of %s', (_what, amountClaimedFen) => {
    spec
      .given(aRegisteredComplaint())
      .when(cmd('RequestRefund', { refundId: 'R1', amountClaimedFen }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('refund.amount_invalid'));
  });

  it.each([
    ['waiting for the accounts room', requested()],
    ['verified but not paid', verified()],
  ])('refuses a second refund while the first is %s', (_state, history) => {
    spec
      .given(history)
      .when(cmd('RequestRefund', { refundId: 'R2', amountClaimedFen: 500 }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('refund.already_open'));
  });

  it.each([
    ['executed', executed()],
    ['rejected', rejected()],
  ])('takes another refund once the first was %s', (_state, history) => {
    spec
      .given(history)
      .when(cmd('RequestRefund', { refundId: 'R2', amountClaimedFen: 500 }, t('09:40')))
      .then([refundRequested({ refundId: 'R2', amountClaimedFen: 500, requestedAt: t('09:40'), verifyDueAt: t('09:50') })]);
  });

  it('refuses an id already used', () => {
    spec
      .given(executed())
      .when(cmd('RequestRefund', { refundId: 'R1', amountClaimedFen: 500 }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('refund.already_exists'));
  });
});

describe('a refund that does not exist', () => {
  it.each([
    cmd('VerifyRefund', { refundId: 'R9', refundable: true }),
    cmd('ApproveCashRefund', { refundId: 'R9' }),
    cmd('ExecuteRefund', { refundId: 'R9', method: 'bill_credit', formSigned: true, idChecked: true }),
  ])('is not found by $type', (command) => {
    spec
      .given(requested())
      .when(command)
      .thenThrows(NotFound, (e) => expect(e.code).toBe('refund.not_found'));
  });
});

describe('verifying a refund', () => {
  it('refunds the amount claimed when the accounts room gives none, on time within ten minutes', () => {
    spec
      .given(requested())
      .when(cmd('VerifyRefund', { refundId: 'R1', refundable: true }, t('09:20')))
      .then([
        {
          type: 'RefundVerified',
          data: { complaintId: 'C-1', refundId: 'R1', refundable: true, amountFen: 2000, verifiedAt: '2026-03-02T09:20:00.000Z', onTime: true },
        },
      ]);
  });

  it('refunds a smaller amount than claimed', () => {
    spec
      .given(requested())
      .when(cmd('VerifyRefund', { refundId: 'R1', refundable: true, amountFen: 1500, note: 'one of the two charges was due' }, t('09:20')))
      .then([refundVerified({ amountFen: 1500, note: 'one of the two charges was due' })]);
  });

  it('refunds nothing when not refundable, whatever amount is given', () => {
    spec
      .given(requested())
      .when(cmd('VerifyRefund', { refundId: 'R1', refundable: false, amountFen: 1500, note: 'the charge is correct' }, t('09:20')))
      .then([refundVerified({ refundable: false, amountFen: 0, note: 'the charge is correct' })]);
  });

  it('counts a verification at the tenth minute as on time', () => {
    spec
      .given(requested())
      .when(cmd('VerifyRefund', { refundId: 'R1', refundable: true }, t('09:25')))
      .then([refundVerified({ verifiedAt: t('09:25'), onTime: true })]);
  });

  it('records a verification after ten minutes as late', () => {
    spec
      .given(requested())
      .when(cmd('VerifyRefund', { refundId: 'R1', refundable: true }, t('09:26')))
      .then([refundVerified({ verifiedAt: t('09:26'), onTime: false })]);
  });

  it('refuses an amount above the claim', () => {
    spec
      .given(requested())
      .when(cmd('VerifyRefund', { refundId: 'R1', refundable: true, amountFen: 2001 }))
      .thenThrows(CommandRefused, (e) => {
        expect(e.code).toBe('refund.amount_exceeds_claim');
        expect(e.reason).toBe('the verified amount 20.01 exceeds the 20.00 yuan claimed');
      });
  });

  it.each([0, -100, 99.5])('refuses a refundable amount of %s fen', (amountFen) => {
    spec
      .given(requested())
      .when(cmd('VerifyRefund', { refundId: 'R1', refundable: true, amountFen }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('refund.amount_invalid'));
  });

  it.each([
    ['verified', verified()],
    ['rejected', rejected()],
    ['executed', executed()],
  ])('refuses a second verification of a refund already %s', (_state, history) => {
    spec
      .given(history)
      .when(cmd('VerifyRefund', { refundId: 'R1', refundable: true }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('refund.already_verified'));
  });
});

describe('approving a cash refund', () => {
  it('records who approved it', () => {
    spec
      .given(verified())
      .when(cmd('ApproveCashRefund', { refundId: 'R1' }, t('09:22'), BRANCH_MANAGER))
      .then([
        { type: 'CashRefundApproved', data: { complaintId: 'C-1', refundId: 'R1', approvedBy: 'manager-007', approvedAt: '2026-03-02T09:22:00.000Z' } },
      ]);
  });

  it('does nothing when the approval is sent again', () => {
    spec
      .given([...verified(), cashRefundApproved()])
      .when(cmd('ApproveCashRefund', { refundId: 'R1' }, t('09:23'), BRANCH_MANAGER))
      .thenNothingHappens();
  });

  it.each([
    ['before the accounts room verified it', requested(), 'refund.not_verified'],
    ['after the accounts room rejected it', rejected(), 'refund.rejected'],
    ['after it was executed', executed(), 'refund.already_executed'],
  ])('refuses %s', (_when, history, code) => {
    spec
      .given(history)
      .when(cmd('ApproveCashRefund', { refundId: 'R1' }, t('09:40'), BRANCH_MANAGER))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe(code));
  });
});

describe('executing a refund', () => {
  it('credits the verified amount back to the phone bill without any approval', () => {
    spec
      .given([...requested(), refundVerified({ amountFen: 1500 })])
      .when(cmd('ExecuteRefund', { refundId: 'R1', method: 'bill_credit', formSigned: false, idChecked: false }, t('09:30')))
      .then([
        {
          type: 'RefundExecuted',
          data: { complaintId: 'C-1', refundId: 'R1', method: 'bill_credit', amountFen: 1500, formSigned: false, idChecked: false, executedAt: '2026-03-02T09:30:00.000Z' },
        },
      ]);
  });

  it('pays cash once approved, with the signed form and the ID checked', () => {
    spec
      .given([...verified(), cashRefundApproved()])
      .when(cmd('ExecuteRefund', { refundId: 'R1', method: 'cash', formSigned: true, idChecked: true }, t('09:30')))
      .then([refundExecuted({ method: 'cash', formSigned: true, idChecked: true })]);
  });

  it('refuses cash without approval: refunds go back to the bill in principle', () => {
    spec
      .given(verified())
      .when(cmd('ExecuteRefund', { refundId: 'R1', method: 'cash', formSigned: true, idChecked: true }))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('refund.cash_not_approved'));
  });

  it.each([
    ['the signed form', { formSigned: false, idChecked: true }, 'a cash refund needs the signed cash refund form (现金退费表)'],
    ['the ID check', { formSigned: true, idChecked: false }, "a cash refund needs a check of the customer's ID"],
    ['both', { formSigned: false, idChecked: false }, "a cash refund needs the signed cash refund form (现金退费表) and a check of the customer's ID"],
  ])('refuses an approved cash refund without %s', (_missing, paperwork, reason) => {
    spec
      .given([...verified(), cashRefundApproved()])
      .when(cmd('ExecuteRefund', { refundId: 'R1', method: 'cash', ...paperwork }))
      .thenThrows(CommandRefused, (e) => {
        expect(e.code).toBe('refund.cash_paperwork_missing');
        expect(e.reason).toBe(reason);
      });
  });

  it.each([
    ['before the accounts room verified it', requested(), 'refund.not_verified'],
    ['after the accounts room rejected it', rejected(), 'refund.rejected'],
    ['a second time', executed(), 'refund.already_executed'],
  ])('refuses %s', (_when, history, code) => {
    spec
      .given(history)
      .when(cmd('ExecuteRefund', { refundId: 'R1', method: 'bill_credit', formSigned: true, idChecked: true }, t('09:40')))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe(code));
  });
});

describe('archiving a complaint with refunds', () => {
  const satisfiedWith = (...refund: ComplaintEvent[]) => [...aSatisfiedComplaint(), ...refund];

  it.each([
    ['waiting for the accounts room', satisfiedWith(refundRequested({ requestedAt: t('10:31'), verifyDueAt: t('10:41') }))],
    ['verified but not paid', satisfiedWith(refundRequested(), refundVerified())],
  ])('refuses while a refund is %s', (_state, history) => {
    spec
      .given(history)
      .when(cmd('ArchiveComplaint', {}, t('10:35')))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('complaint.refund_open'));
  });

  it.each([
    ['executed', satisfiedWith(refundRequested(), refundVerified(), refundExecuted())],
    ['rejected', satisfiedWith(refundRequested(), refundVerified({ refundable: false, amountFen: 0 }))],
  ])('archives once the refund was %s', (_state, history) => {
    spec
      .given(history)
      .when(cmd('ArchiveComplaint', {}, t('10:35')))
      .then([archived(), callbackScheduled()]);
  });

  it('checks satisfaction before refunds', () => {
    spec
      .given([...anAnsweredComplaint(), refundRequested()])
      .when(cmd('ArchiveComplaint', {}))
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('complaint.not_satisfied'));
  });
});

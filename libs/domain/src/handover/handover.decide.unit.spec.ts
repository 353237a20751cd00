import { deciderSpecification } from '@complaints/testing';
import { CommandRefused, NotFound } from '../shared/domain-error';
import { HandoverEvent, handoverDecider, HandoverItem } from './handover';

const spec = deciderSpecification(handoverDecider);
const at = '2026-11-27T17:50:00.000Z';
const later = '2026-11-27T17:55:00.000Z';
const items: HandoverItem[] = [{ complaintId: 'c1', status: 'dispatched', openWorkOrders: ['c1.w1'] }];
const recorded: HandoverEvent = {
  type: 'HandoverRecorded',
  data: { handoverId: 'h1', fromAgent: 'desk-007', toAgent: 'desk-008', branch: 'ZG', note: 'customer calls back at 9', items, handedOverAt: at },
};

describe('shift handover', () => {
  it('records the open items handed to the incoming agent', () => {
    spec
      .given([])
      .when({ type: 'RecordHandover', data: { handoverId: 'h1', toAgent: 'desk-008', branch: 'ZG', note: 'customer calls back at 9', items }, context: { now: at, actor: 'desk-007' } })
      .then([recorded]);
  });

  it('refuses a handover to oneself', () => {
    spec
      .given([])
      .when({ type: 'RecordHandover', data: { handoverId: 'h1', toAgent: 'desk-007', branch: 'ZG', items }, context: { now: at, actor: 'desk-007' } })
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('handover.to_self'));
  });

  it('refuses recording the same handover twice', () => {
    spec
      .given([recorded])
      .when({ type: 'RecordHandover', data: { handoverId: 'h1', toAgent: 'desk-008', branch: 'ZG', items }, context: { now: at, actor: 'desk-007' } })
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('handover.already_recorded'));
  });

  it('is acknowledged by the receiving agent', () => {
    spec
      .given([recorded])
      .when({ type: 'AcknowledgeHandover', data: { handoverId: 'h1' }, context: { now: later, actor: 'desk-008' } })
      .then([{ type: 'HandoverAcknowledged', data: { handoverId: 'h1', acknowledgedBy: 'desk-008', acknowledgedAt: later } }]);
  });

  it('an acknowledgement repeated changes nothing', () => {
    spec
      .given([recorded, { type: 'HandoverAcknowledged', data: { handoverId: 'h1', acknowledgedBy: 'desk-008', acknowledgedAt: later } }])
      .when({ type: 'AcknowledgeHandover', data: { handoverId: 'h1' }, context: { now: later, actor: 'desk-008' } })
      .thenNothingHappens();
  });

  it('refuses an acknowledgement by anyone but the receiver', () => {
    spec
      .given([recorded])
      .when({ type: 'AcknowledgeHandover', data: { handoverId: 'h1' }, context: { now: later, actor: 'desk-009' } })
      .thenThrows(CommandRefused, (e) => expect(e.code).toBe('handover.not_receiver'));
  });

  it('an unknown handover is not found', () => {
    spec
      .given([])
      .when({ type: 'AcknowledgeHandover', data: { handoverId: 'h9' }, context: { now: later, actor: 'desk-008' } })
      .thenThrows(NotFound);
  });
});

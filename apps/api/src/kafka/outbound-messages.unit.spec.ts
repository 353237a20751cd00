import type { RecordedEvent } from '@complaints/event-store';
import { chinaTime, complaintEventMessage, customerNotifications, notificationMessage, notifiesCustomer } from './outbound-messages';

let position = 0;
function recorded(type: string, data: Record<string, unknown>, streamId = 'complaint-c1'): RecordedEvent {
  position++;
  return { id: `e${position}`, streamId, type, data, metadata: { occurredAt: '2026-11-02T02:00:00.000Z' }, revision: position, position, recordedAt: '2026-11-02T02:00:00.010Z' };
}

describe('complaints.events.v1', () => {
  it("carries a complaint's event keyed by the complaint, with its id in a header", () => {
    const event = recorded('WorkOrderReplied', { complaintId: 'c1', workOrderId: 'c1.w1', opinion: '已处理', resolved: true });
    const message = complaintEventMessage(event)!;
    expect(message.key).toBe('c1');
    expect(message.headers).toEqual({ 'event-id': event.id, 'event-type': 'WorkOrderReplied', 'content-type': 'application/json' });
    expect(JSON.parse(message.value)).toEqual({
      type: 'WorkOrderReplied',
      complaintId: 'c1',
      workOrderId: 'c1.w1',
      occurredAt: '2026-11-02T02:00:00.000Z',
      data: event.data,
      position: event.position,
      eventId: event.id,
      revision: event.revision,
    });
  });

  it('leaves out the streams that are not a complaint', () => {
    expect(complaintEventMessage(recorded('HandoverRecorded', {}, 'handover-h1'))).toBeUndefined();
    expect(notifiesCustomer(recorded('CustomerReplied', {}, 'handover-h1'))).toBe(false);
  });
});

describe('customer.notifications.v1', () => {
  it('tells an interim reply as it was given', () => {
    const event = recorded('CustomerReplied', { complaintId: 'c1', method: 'phone', content: '正在处理，请耐心等待。', final: false, repliedAt: '2026-11-02T02:00:00.000Z' });
    expect(customerNotifications(event, '13812345678')).toEqual([
      expect.objectContaining({ kind: 'reply', notificationId: `${event.id}:reply`, msisdn: '13812345678', method: 'phone', text: '正在处理，请耐心等待。', final: false }),
    ]);
  });

  it('follows the final answer with the satisfaction SMS', () => {
    const event = recorded('CustomerReplied', { complaintId: 'c1', method: 'sms', content: '已退费30元。', final: true, repliedAt: '2026-11-02T02:00:00.000Z' });
    const told = customerNotifications(event, '13812345678');
    expect(told.map((n) => n.kind)).toEqual(['reply', 'satisfaction_survey']);
    expect(told[1]).toEqual(expect.objectContaining({ method: 'sms', notificationId: `${event.id}:satisfaction_survey`, text: expect.stringContaining('回复1满意') }));
  });

  it('records an on-site resolution as told in person, then the satisfaction SMS', () => {
    const told = customerNotifications(recorded('ComplaintResolvedOnSite', { complaintId: 'c1', resolution: '现场解释，客户认可。', resolvedAt: '2026-11-02T02:00:00.000Z' }), '13812345678');
    expect(told.map((n) => [n.kind, n.method])).toEqual([
      ['reply', 'in_person'],
      ['satisfaction_survey', 'sms'],
    ]);
  });

  it('announces the callback appointment with its time in China Standard Time', () => {
    const event = recorded('CallbackScheduled', { complaintId: 'c1', callbackId: 'c1.cb1', cycle: 1, attempt: 1, dueAt: '2026-11-03T06:00:00.000Z' });
    const [told] = customerNotifications(event, '13812345678');
    expect(told).toEqual(expect.objectContaining({ kind: 'callback_appointment', callbackId: 'c1.cb1', dueAt: '2026-11-03T06:00:00.000Z', attempt: 1, method: 'sms' }));
    expect(told.text).toContain('11月3日14:00');
    const again = customerNotifications(recorded('CallbackRescheduled', { complaintId: 'c1', callbackId: 'c1.cb1', attempt: 2, dueAt: '2026-11-03T08:00:00.000Z' }), '13812345678');
    expect(again).toEqual([expect.objectContaining({ kind: 'callback_appointment', attempt: 2, text: expect.stringContaining('再次致电') })]);
  });

  it('says nothing for events the customer is not told about', () => {
    expect(customerNotifications(recorded('WorkOrderDispatched', { complaintId: 'c1' }), '13812345678')).toEqual([]);
    expect(notifiesCustomer(recorded('ComplaintArchived', { complaintId: 'c1' }))).toBe(false);
  });

  it('is keyed by the MSISDN, with the event and notification ids in headers', () => {
    const [reply] = customerNotifications(recorded('CustomerReplied', { complaintId: 'c1', method: 'phone', content: 'x', final: false }), '13812345678');
    expect(notificationMessage(reply)).toEqual({
      key: '13812345678',
      value: JSON.stringify(reply),
      headers: { 'event-id': reply.eventId, 'notification-id': reply.notificationId, 'content-type': 'application/json' },
    });
  });

  it('writes times as China Standard Time', () => {
    expect(chinaTime('2026-12-31T16:30:00.000Z')).toBe('1月1日00:30');
  });
});

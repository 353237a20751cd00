import { ComplaintEvent, ContactMethod } from '@complaints/domain';
import type { RecordedEvent } from '@complaints/event-store';
import type { IHeaders } from 'kafkajs';
import { HEADERS } from './kafka-topics';

const COMPLAINT_STREAM = /^complaint-(.+)$/;

/** The complaint a stream belongs to; undefined for streams that are not a complaint's (handovers, measures). */
export function complaintIdOfStream(streamId: string): string | undefined {
  return COMPLAINT_STREAM.exec(streamId)?.[1];
}

/** The value of a message on `complaints.events.v1` (API.md). */
export interface ComplaintEventMessage {
  type: string;
  complaintId: string;
  workOrderId?: string;
  occurredAt: string;
  data: unknown;
  /** the event's global position in the log: increasing, per complaint too */
  position: number;
  /** also in the `event-id` header */
  eventId: string;
  /** the event's revision in the complaint's stream (1, 2, …) */
  revision: number;
}

export interface OutboundMessage {
  key: string;
  value: string;
  headers: IHeaders;
}

/** when it happened: the command's time (the injected clock), else when the store recorded it */
function occurredAtOf(event: RecordedEvent): string {
  const at = event.metadata.occurredAt;
  return typeof at === 'string' ? at : event.recordedAt;
}

/** A complaint's event as published on `complaints.events.v1`, keyed by the complaint id; undefined for other streams. */
export function complaintEventMessage(event: RecordedEvent): OutboundMessage | undefined {
  const complaintId = complaintIdOfStream(event.streamId);
  if (complaintId === undefined) return undefined;
  const data = event.data as { workOrderId?: unknown };
  const value: ComplaintEventMessage = {
    type: event.type,
    complaintId,
    ...(typeof data?.workOrderId === 'string' ? { workOrderId: data.workOrderId } : {}),
    occurredAt: occurredAtOf(event),
    data: event.data,
    position: event.position,
    eventId: event.id,
    revision: event.revision,
  };
  return {
    key: complaintId,
    value: JSON.stringify(value),
    headers: { [HEADERS.eventId]: event.id, [HEADERS.eventType]: event.type, 'content-type': 'application/json' },
  };
}

export const NOTIFICATION_KINDS = ['reply', 'callback_appointment', 'satisfaction_survey'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The value of a message on `customer.notifications.v1`: what the customer is told and how. */
export interface CustomerNotification {
  kind: NotificationKind;
  /** `<event id>:<kind>`: the same on every redelivery */
  notificationId: string;
  complaintId: string;
  msisdn: string;
  /** how the customer is told: `sms` for the text messages, else as the desk chose */
  method: ContactMethod;
  /** what the customer is told, in the customer's language */
  text: string;
  occurredAt: string;
  /** reply: the final answer (the complaint is resolved) or an interim one */
  final?: boolean;
  /** callback_appointment: the customer will be called back by then */
  callbackId?: string;
  dueAt?: string;
  attempt?: number;
  eventId: string;
  position: number;
}

/** Events that tell the customer something; only these need the customer's number. */
const NOTIFYING = new Set<string>(['CustomerReplied', 'ComplaintResolvedOnSite', 'CallbackScheduled', 'CallbackRescheduled']);

export function notifiesCustomer(event: RecordedEvent): boolean {
  return NOTIFYING.has(event.type) && complaintIdOfStream(event.streamId) !== undefined;
}

const SIGNATURE = '【中国移动】';
const SURVEY_TEXT = `您好，您反映的问题已处理答复。请您对本次服务进行评价：回复1满意，2基本满意，3不满意。感谢您的支持！${SIGNATURE}`;

/** "11月3日14:00" in China Standard Time (UTC+8, no daylight saving). */
export function chinaTime(iso: string): string {
  const t = new Date(Date.parse(iso) + 8 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.getUTCMonth() + 1}月${t.getUTCDate()}日${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`;
}

/**
 * What an event tells the customer: the desk's replies (DOMAIN.md §17 step 7),
 * the callback appointments (回访, step 9), and after the final answer the
 * satisfaction SMS with which customers rate the service (Part 2 §5, counted
 * weekly by the data center). Empty for every other event.
 */
export function customerNotifications(event: RecordedEvent, msisdn: string): CustomerNotification[] {
  const complaintId = complaintIdOfStream(event.streamId);
  if (complaintId === undefined) return [];
  const base = { complaintId, msisdn, occurredAt: occurredAtOf(event), eventId: event.id, position: event.position };
  const id = (kind: NotificationKind) => `${event.id}:${kind}`;
  const survey: CustomerNotification = { ...base, kind: 'satisfaction_survey', notificationId: id('satisfaction_survey'), method: 'sms', text: SURVEY_TEXT };
  const e = { type: event.type, data: event.data } as ComplaintEvent;
  switch (e.type) {
    case 'CustomerReplied': {
      const reply: CustomerNotification = { ...base, kind: 'reply', notificationId: id('reply'), method: e.data.method, text: e.data.content, final: e.data.final };
      return e.data.final ? [reply, survey] : [reply];
    }
    case 'ComplaintResolvedOnSite':
      // answered at once, in person (§17 step 3): recorded as told, then the satisfaction SMS
      return [{ ...base, kind: 'reply', notificationId: id('reply'), method: 'in_person', text: e.data.resolution, final: true }, survey];
    case 'CallbackScheduled':
      return [
        {
          ...base,
          kind: 'callback_appointment',
          notificationId: id('callback_appointment'),
          method: 'sms',
          text: `您好，您反映的问题已处理完毕，我们将在${chinaTime(e.data.dueAt)}前致电回访，请保持电话畅通。${SIGNATURE}`,
          callbackId: e.data.callbackId,
          dueAt: e.data.dueAt,
          attempt: e.data.attempt,
        },
      ];
    case 'CallbackRescheduled':
      return [
        {
          ...base,
          kind: 'callback_appointment',
          notificationId: id('callback_appointment'),
          method: 'sms',
          text: `您好，我们回访时未能联系到您，将在${chinaTime(e.data.dueAt)}前再次致电，请保持电话畅通。${SIGNATURE}`,
          callbackId: e.data.callbackId,
          dueAt: e.data.dueAt,
          attempt: e.data.attempt,
        },
      ];
    default:
      return [];
  }
}

export function notificationMessage(notification: CustomerNotification): OutboundMessage {
  return {
    key: notification.msisdn,
    value: JSON.stringify(notification),
    headers: {
      [HEADERS.eventId]: notification.eventId,
      [HEADERS.notificationId]: notification.notificationId,
      'content-type': 'application/json',
    },
  };
}

/** The topics of API.md ("Kafka"), under an optional prefix (KAFKA_TOPIC_PREFIX). */
export interface KafkaTopics {
  /** in, from 10086: complaints to register, keyed by ticket number */
  readonly callcenterComplaints: string;
  /** out: the 10086 messages that were refused, as received, with `error` and `failed-at` headers */
  readonly callcenterDeadLetters: string;
  /** out: every domain event of a complaint, keyed by complaint id */
  readonly complaintEvents: string;
  /** out: what the customer is told and how, keyed by MSISDN */
  readonly customerNotifications: string;
}

export function kafkaTopics(prefix = ''): KafkaTopics {
  return {
    callcenterComplaints: `${prefix}callcenter.complaints.v1`,
    callcenterDeadLetters: `${prefix}callcenter.complaints.dlq.v1`,
    complaintEvents: `${prefix}complaints.events.v1`,
    customerNotifications: `${prefix}customer.notifications.v1`,
  };
}

/** Header names of the messages this server writes. */
export const HEADERS = {
  /** DLQ: why the message was refused, for a person */
  error: 'error',
  /** DLQ: when it was refused (ISO-8601) */
  failedAt: 'failed-at',
  /** outbound: the id of the event, the same on every redelivery: consumers dedupe by it */
  eventId: 'event-id',
  eventType: 'event-type',
  /** notifications: one event may tell the customer two things (the answer, then the satisfaction SMS) */
  notificationId: 'notification-id',
} as const;

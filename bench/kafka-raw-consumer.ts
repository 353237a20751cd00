/**
 * The raw baseline of (f)'s end-to-end figure, in a child process of its own
 * as the server is: a bare kafkajs consumer (a group of its own, the same
 * topic and messages as the server's consumer) that parses each 10086 message
 * and inserts the ComplaintRegistered row the system would write for it, with
 * raw better-sqlite3, one row per BEGIN IMMEDIATE..COMMIT at
 * synchronous=FULL; an offset is resolved after its row is committed and
 * kafkajs commits the resolved offsets. No validation, no dedupe, no command
 * pipeline, no DLQ.
 *
 *   node -r tools/register-paths.js dist/bench/kafka-raw-consumer.js <brokers> <topic> <group> <file>
 *   node -r tools/register-paths.js dist/bench/kafka-raw-consumer.js <brokers> <topic> <group> --count <n>
 *
 * The second form only parses each message (kafkajs alone: the ceiling on the
 * Kafka side) and reports { type: 'done', at } when it has seen n.
 * Tells the parent over IPC when its consumer is running ({ type: 'started',
 * at }); stops on 'stop'.
 */
import { complaintDecider, ComplaintCommand, DEFAULT_POLICY, initialComplaintState } from '@complaints/domain';
import { Kafka, logLevel } from 'kafkajs';
import { CALLCENTER_SYSTEM } from '../apps/api/src/kafka/callcenter-registration';
import { CommandIdentity } from '../apps/api/src/complaints/complaint-ids';
import { RawEventTable } from './raw-table';

export type RawConsumerMessage = { type: 'started'; at: number } | { type: 'done'; at: number } | { type: 'failed'; error: string };

interface Ticket {
  ticketNo: string;
  channel: string;
  customer: { msisdn: string; name: string; vip?: boolean; groupCustomer?: boolean; accountType?: string };
  branch: string;
  category: string;
  subcategory: string;
  description: string;
}

const decider = complaintDecider(DEFAULT_POLICY);

/** The row CallCenterRegistration would have the store write for this ticket (same ids, same JSON). */
function rowOf(ticket: Ticket, now: string) {
  const identity = CommandIdentity.fromIdempotencyKey(CALLCENTER_SYSTEM.sub, ticket.ticketNo);
  const complaintId = identity.newId('complaint');
  const command = {
    type: 'RegisterComplaint',
    data: {
      complaintId,
      channel: ticket.channel,
      externalRef: ticket.ticketNo,
      customer: {
        msisdn: ticket.customer.msisdn,
        name: ticket.customer.name,
        vip: ticket.customer.vip ?? false,
        groupCustomer: ticket.customer.groupCustomer ?? false,
        accountType: ticket.customer.accountType ?? 'personal',
      },
      branch: ticket.branch,
      category: ticket.category,
      subcategory: ticket.subcategory,
      description: ticket.description,
      priorComplaints: 0,
    },
    context: { now, actor: CALLCENTER_SYSTEM.sub },
  } as ComplaintCommand;
  const [event] = decider.decide(command, initialComplaintState());
  return {
    streamId: `complaint-${complaintId}`,
    eventId: identity.eventId(0),
    type: event.type,
    data: JSON.stringify(event.data),
    metadata: JSON.stringify({ actor: CALLCENTER_SYSTEM.sub, role: CALLCENTER_SYSTEM.role, occurredAt: now }),
  };
}

async function main(): Promise<void> {
  const [brokers, topic, groupId, file, countTo] = process.argv.slice(2);
  const expected = file === '--count' ? Number(countTo) : undefined;
  const table = expected === undefined ? new RawEventTable(file, 'FULL') : undefined;
  let seen = 0;
  const kafka = new Kafka({ clientId: 'bench-raw-consumer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) return;
        const ticket = JSON.parse(message.value?.toString('utf8') ?? 'null') as Ticket;
        if (table) table.insertOne(rowOf(ticket, new Date().toISOString()));
        else if (++seen === expected) process.send?.({ type: 'done', at: Date.now() } satisfies RawConsumerMessage);
        resolveOffset(message.offset);
      }
      await commitOffsetsIfNecessary();
      await heartbeat();
    },
  });
  process.send?.({ type: 'started', at: Date.now() } satisfies RawConsumerMessage);
  const stop = () =>
    consumer
      .disconnect()
      .catch(() => undefined)
      .then(() => {
        table?.close();
        process.exit(0);
      });
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies RawConsumerMessage);
  process.exit(1);
});

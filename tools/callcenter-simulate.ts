/**
 * Realistic 10086 call-center traffic on `callcenter.complaints.v1`:
 *
 *   npm run callcenter:simulate -- --count 10000 --rate 500 --duplicates 0.05 --malformed 0.01
 *
 * Options (all optional):
 *   --count N          messages in all, duplicates and malformed ones included (default 1000)
 *   --rate R           messages per second; 0 sends as fast as the broker takes them (default 200)
 *   --duplicates P     share of messages that redeliver a ticket already sent (default 0.05)
 *   --malformed P      share of malformed messages: cut-off JSON, missing ticketNo, bad MSISDN,
 *                      unknown category or channel, empty description, unknown field (default 0.01)
 *   --brokers LIST     default KAFKA_BROKERS, else 127.0.0.1:9092
 *   --topic-prefix P   default KAFKA_TOPIC_PREFIX (none)
 *   --ticket-prefix P  ticket numbers are <P><7 digits>; default CC<UTC time of the run>- (unique per run)
 *   --seed S           the same seed and ticket prefix give the same messages (default: the ticket prefix)
 *
 * A progress line goes to stderr; the summary (what was sent, and what the
 * server should make of it) to stdout. Exit status: 0 sent, 1 the broker
 * failed, 2 usage.
 */
import { CompressionTypes, Kafka, logLevel, Message, Partitioners } from 'kafkajs';
import { callcenterTraffic, MalformedKind, TrafficMessage } from '../apps/api/src/kafka/callcenter-traffic';
import { kafkaTopics } from '../apps/api/src/kafka/kafka-topics';

interface Options {
  count: number;
  rate: number;
  duplicates: number;
  malformed: number;
  brokers: string[];
  topicPrefix: string;
  ticketPrefix: string;
  seed: string;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const options: Options = {
    count: 1000,
    rate: 200,
    duplicates: 0.05,
    malformed: 0.01,
    brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',').map((b) => b.trim()),
    topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? '',
    ticketPrefix: `CC${stamp}-`,
    seed: '',
  };
  const number = (name: string, raw: string | undefined, min: number, max: number): number => {
    const value = Number(raw);
    if (raw === undefined || !Number.isFinite(value) || value < min || value > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    const raw = argv[++i];
    switch (name) {
      case 'count':
        options.count = Math.floor(number(name, raw, 1, 10_000_000));
        break;
      case 'rate':
        options.rate = number(name, raw, 0, 1_000_000);
        break;
      case 'duplicates':
        options.duplicates = number(name, raw, 0, 0.9);
        break;
      case 'malformed':
        options.malformed = number(name, raw, 0, 0.9);
        break;
      case 'brokers':
        if (!raw) throw new UsageError('--brokers needs host:port[,host:port]');
        options.brokers = raw.split(',').map((b) => b.trim());
        break;
      case 'topic-prefix':
        options.topicPrefix = raw ?? '';
        break;
      case 'ticket-prefix':
        if (!raw || !/^[A-Za-z0-9_.:-]{1,50}$/.test(raw)) throw new UsageError('--ticket-prefix must be 1 to 50 letters, digits, or . _ : -');
        options.ticketPrefix = raw;
        break;
      case 'seed':
        options.seed = raw ?? '';
        break;
      default:
        throw new UsageError(`unknown option ${argv[i - 1]}`);
    }
  }
  if (options.duplicates + options.malformed >= 1) throw new UsageError('--duplicates and --malformed together must stay under 1');
  if (!options.seed) options.seed = options.ticketPrefix;
  return options;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`callcenter:simulate: ${error.message}\nusage: npm run callcenter:simulate -- --count 10000 --rate 500 --duplicates 0.05 --malformed 0.01\n`);
    return 2;
  }
  const topic = kafkaTopics(options.topicPrefix).callcenterComplaints;
  const kafka = new Kafka({ clientId: 'callcenter-simulator', brokers: options.brokers, logLevel: logLevel.NOTHING, retry: { retries: 8, maxRetryTime: 5_000 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();

  const counts = { tickets: 0, duplicates: 0, malformed: 0 };
  const malformedKinds = new Map<MalformedKind, number>();
  const started = Date.now();
  let sent = 0;
  const tty = process.stderr.isTTY;
  let lastProgress = 0;
  const progress = (final = false) => {
    const now = Date.now();
    if (!final && now - lastProgress < (tty ? 250 : 5_000)) return;
    lastProgress = now;
    const seconds = (now - started) / 1000;
    const line = `sent ${int(sent)}/${int(options.count)} to ${topic} (${int(sent / Math.max(seconds, 0.001))}/s): ${int(counts.tickets)} tickets, ${int(counts.duplicates)} duplicates, ${int(counts.malformed)} malformed`;
    process.stderr.write(tty ? `\r${line}${final ? '\n' : ''}` : `${line}\n`);
  };

  const interrupted = { value: false };
  process.once('SIGINT', () => (interrupted.value = true));

  // send in slices of 50 ms worth of messages (at least one), each awaited: the broker has it before the next
  const sliceSize = options.rate > 0 ? Math.max(1, Math.round(options.rate / 20)) : 500;
  let slice: Message[] = [];
  const flush = async () => {
    if (slice.length === 0) return;
    await producer.send({ topic, messages: slice, acks: -1, compression: CompressionTypes.None });
    sent += slice.length;
    slice = [];
    if (options.rate > 0) {
      const due = started + (sent / options.rate) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    progress();
  };
  for (const message of callcenterTraffic({ count: options.count, duplicates: options.duplicates, malformed: options.malformed, ticketPrefix: options.ticketPrefix, seed: options.seed })) {
    if (interrupted.value) break;
    count(message, counts, malformedKinds);
    slice.push({ key: message.key, value: message.value, headers: { source: '10086-simulator' } });
    if (slice.length >= sliceSize) await flush();
  }
  await flush();
  progress(true);
  await producer.disconnect();

  const seconds = (Date.now() - started) / 1000;
  const kinds = [...malformedKinds.entries()].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${kind} ${n}`).join(', ');
  process.stdout.write(
    [
      `${interrupted.value ? 'interrupted: ' : ''}sent ${int(sent)} messages to ${topic} on ${options.brokers.join(',')} in ${seconds.toFixed(1)} s (${int(sent / Math.max(seconds, 0.001))}/s)`,
      `  tickets     ${int(counts.tickets)} distinct (${options.ticketPrefix}0000001 …): each is registered once`,
      `  duplicates  ${int(counts.duplicates)} redeliveries of tickets already sent: registered nothing more`,
      `  malformed   ${int(counts.malformed)}${kinds ? ` (${kinds})` : ''}: go to ${kafkaTopics(options.topicPrefix).callcenterDeadLetters} with their reason`,
      '',
    ].join('\n'),
  );
  return interrupted.value ? 130 : 0;
}

function count(message: TrafficMessage, counts: { tickets: number; duplicates: number; malformed: number }, kinds: Map<MalformedKind, number>): void {
  if (message.kind === 'ticket') counts.tickets++;
  else if (message.kind === 'duplicate') counts.duplicates++;
  else {
    counts.malformed++;
    kinds.set(message.malformed, (kinds.get(message.malformed) ?? 0) + 1);
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`\ncallcenter:simulate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

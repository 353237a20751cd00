/**
 * Copies the event log from one store to another, in position order:
 *
 *   npm run store:migrate -- --from sqlite:./data --to postgres://postgres@127.0.0.1:5432/complaints
 *
 * Locations: sqlite:DIR (DIR/events.sqlite, the embedded default's DATA_DIR)
 * or sqlite:FILE, postgres://… (schema event_store unless --from-schema /
 * --to-schema say otherwise), esdb://… or kurrentdb://… (EventStoreDB).
 *
 * Every event keeps its stream, revision, id, type, data, metadata, recorded
 * time and position. The target must be empty, or hold what an earlier,
 * interrupted run of the same copy left (its head says where to go on; its
 * first and last events are checked against the source's). Stop the API
 * first: events appended to the source during the copy are left for another
 * run, and the target must receive nothing else.
 *
 * Exit status: 0 copied (or nothing to copy), 1 failed or refused (another
 * log in the target), 2 usage, 130 interrupted (run it again to resume).
 */
import { MultiBar, Presets, SingleBar } from 'cli-progress';
import { parseArgs } from 'node:util';
import {
  copyEventLog,
  CopyProgress,
  CopyRefusedError,
  describeStoreLocation,
  EventStoreUnavailableError,
  ImportMismatchError,
  openStoreAt,
  parseStoreLocation,
  StoreLocationError,
} from '@complaints/event-store';

const USAGE = `usage: npm run store:migrate -- --from LOCATION --to LOCATION [--from-schema NAME] [--to-schema NAME] [--batch N]

  LOCATION   sqlite:DIR-or-FILE | postgres://user@host:5432/db | esdb://host:2113?tls=false
  --from-schema, --to-schema   the PostgreSQL schema of the event store (default event_store)
  --batch N  events copied per transaction (default 1000)

The target must be empty or hold what an interrupted copy of the same source left.
Stop the API while it runs. Afterwards, rebuild the read models: npm run projections -- rebuild`;

class UsageError extends Error {}

interface Command {
  from: string;
  to: string;
  fromSchema?: string;
  toSchema?: string;
  batchSize: number;
}

function parseCommand(argv: string[]): Command {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        'from-schema': { type: 'string' },
        'to-schema': { type: 'string' },
        batch: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (!values.from || !values.to) throw new UsageError('--from and --to are required');
  const batchSize = values.batch === undefined ? 1000 : Number(values.batch);
  if (!(Number.isSafeInteger(batchSize) && batchSize > 0)) throw new UsageError(`--batch ${values.batch} is not a positive integer`);
  return { from: values.from, to: values.to, fromSchema: values['from-schema'], toSchema: values['to-schema'], batchSize };
}

const formatCount = (n: number) => n.toLocaleString('en-US');
const PLAIN_PROGRESS_EVERY_MS = 5000;

/** A bar on a terminal (events done/total, rate, ETA), else a plain line every few seconds (logs). */
class CopyProgressView {
  private bars: MultiBar | undefined;
  private bar: SingleBar | undefined;
  private startedAt: number | undefined;
  private lastLineAt = 0;

  print(line: string): void {
    if (this.bars) this.bars.log(`${line}\n`);
    else process.stderr.write(`${line}\n`);
  }

  update({ position, head, startedFrom }: CopyProgress): void {
    const total = head - startedFrom;
    const done = position - startedFrom;
    if (total === 0) return;
    this.startedAt ??= performance.now();
    const seconds = (performance.now() - this.startedAt) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    if (!process.stderr.isTTY) {
      if (performance.now() - this.lastLineAt < PLAIN_PROGRESS_EVERY_MS && done < total) return;
      this.lastLineAt = performance.now();
      process.stderr.write(`${formatCount(done)}/${formatCount(total)} events copied (position ${formatCount(position)}), ${formatCount(rate)} events/s\n`);
      return;
    }
    if (!this.bars) {
      this.bars = new MultiBar(
        { format: '{bar} {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
        Presets.shades_classic,
      );
      this.bar = this.bars.create(total, 0, { rate: '0' });
    }
    this.bar?.update(done, { rate: formatCount(rate) });
  }

  stop(): void {
    this.bars?.update();
    this.bars?.stop();
    this.bars = undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  const command = parseCommand(argv);
  let from;
  let to;
  try {
    from = parseStoreLocation(command.from, { schema: command.fromSchema });
    to = parseStoreLocation(command.to, { schema: command.toSchema });
  } catch (error) {
    if (error instanceof StoreLocationError || error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  if (describeStoreLocation(from) === describeStoreLocation(to)) throw new UsageError('--from and --to are the same store');

  const source = await openStoreAt(from, 'source');
  const target = await openStoreAt(to, 'target').catch(async (error: unknown) => {
    await source.close();
    throw error;
  });
  const view = new CopyProgressView();
  const abort = new AbortController();
  const interrupt = () => {
    view.print('stopping after the batch in flight…');
    abort.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  try {
    process.stderr.write(`copying the event log of ${describeStoreLocation(from)}\n                   to ${describeStoreLocation(to)}\n`);
    const result = await copyEventLog(source, target, {
      batchSize: command.batchSize,
      signal: abort.signal,
      onProgress: (progress) => {
        if (progress.position === progress.startedFrom && progress.startedFrom > 0) {
          view.print(`the target holds the first ${formatCount(progress.startedFrom)} events of this log already: going on from there`);
        }
        view.update(progress);
      },
    });
    view.stop();
    const copied = result.position - result.startedFrom;
    if (result.interrupted) {
      process.stderr.write(
        `Interrupted after position ${formatCount(result.position)} of ${formatCount(result.head)} (${formatCount(copied)} events copied in this run). ` +
          'The target is consistent up to there: run the same command again to go on.\n',
      );
      return 130;
    }
    process.stdout.write(
      copied === 0
        ? `Nothing to copy: the target holds the whole log (${formatCount(result.head)} events).\n`
        : `Copied ${formatCount(copied)} events (positions ${formatCount(result.startedFrom + 1)} to ${formatCount(result.head)}); ` +
            `the target holds the whole log, ${formatCount(result.head)} events.\n`,
    );
    process.stdout.write(
      'Now point the system at the new store and rebuild the read models from it, the API stopped: npm run projections -- rebuild\n',
    );
    return 0;
  } catch (error) {
    view.stop();
    if (error instanceof CopyRefusedError) {
      process.stderr.write(`Refused: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await Promise.all([source.close(), target.close()]);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    // What the operator must act on is said in the message; a stack trace would only hide it.
    const expected = error instanceof StoreLocationError || error instanceof ImportMismatchError || error instanceof EventStoreUnavailableError;
    process.stderr.write(`${error instanceof Error ? (expected ? error.message : (error.stack ?? error.message)) : String(error)}\n`);
    process.exit(1);
  },
);

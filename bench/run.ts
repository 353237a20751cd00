/**
 * `npm run bench`: the system's command path and HTTP API against raw
 * baselines measured in the same run. See docs/benchmarks.md.
 */
import { join, resolve } from 'path';
import { commandBenchmark } from './commands.bench';
import { httpBenchmark } from './http.bench';
import { kafkaBenchmark } from './kafka.bench';
import { postgresBenchmark } from './postgres.bench';
import { schedulerBenchmark } from './scheduler.bench';
import { prepareDataset, readModelsBenchmark } from './read-models.bench';
import { BenchOptions, parseOptions, USAGE } from './options';
import { describeMachine, markdownTable, runSection, writeDocs } from './report';
import { BenchResult } from './result';
import { cpuTicks, log, stealBetween } from './stats';

const ROOT = resolve(__dirname, '..', '..');

function commandLine(argv: readonly string[]): string {
  const args = argv.join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${args ? ` -- ${args}` : ''}`;
  return `node -r ./tools/register-paths.js dist/bench/run.js${args ? ` ${args}` : ''}`;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let options: BenchOptions | 'help';
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }

  if (options.prepare) {
    await prepareDataset(options);
    return 0;
  }

  const machine = describeMachine();
  log(`bench ${machine.date}: ${machine.nproc} CPUs, ${machine.cpu}, ${machine.memory}, node ${machine.node}`);
  const started = Date.now();
  const results: BenchResult[] = [];
  const errors: string[] = [];
  for (const id of options.only) {
    try {
      const before = cpuTicks();
      const produced =
        id === 'd'
          ? await readModelsBenchmark(options)
          : id === 'f'
            ? await kafkaBenchmark(options)
            : id === 'g'
              ? await postgresBenchmark(options)
              : [id === 'c' ? await httpBenchmark(options) : id === 'e' ? await schedulerBenchmark(options) : await commandBenchmark(id, options)];
      const steal = stealBetween(before, cpuTicks());
      if (steal) produced[0].details.push(steal);
      results.push(...produced);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      errors.push(`(${id}) ${message.split('\n')[0]}`);
      process.stderr.write(`[${id}] failed: ${message}\n`);
    }
  }

  log('');
  log(markdownTable(results));
  log('');
  for (const r of results) for (const d of r.details) log(`(${r.id}) ${d}`);
  for (const e of errors) log(`ERROR ${e}`);
  log('');
  log(`${results.filter((r) => r.pass).length}/${results.length} targets met; ${((Date.now() - started) / 1000).toFixed(0)} s`);

  if (options.docs) {
    const file = join(ROOT, 'docs', 'benchmarks.md');
    writeDocs(file, runSection(machine, commandLine(argv), results, errors), options.keepHistory);
    log(`wrote ${file} (${options.keepHistory ? 'newest run first, older runs kept below' : 'older runs replaced'})`);
  }
  return errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

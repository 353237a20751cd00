import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { CommandOutcome } from './command-outcome';

// Commands are dominated by one SQLite transaction: most finish in a few
// milliseconds, so the low buckets are fine-grained.
const COMMAND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const APPEND_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * The application's Prometheus metrics. It owns its registry (instead of
 * prom-client's global one) so that several app instances in one process,
 * as in tests, do not collide on metric names.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly commands = new Counter({
    name: 'complaints_commands_total',
    help: 'Commands handled, by command and outcome.',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly commandDuration = new Histogram({
    name: 'complaints_command_duration_seconds',
    help: 'Time to handle a command, from the request reaching the pipeline to its answer.',
    labelNames: ['command'] as const,
    buckets: COMMAND_BUCKETS,
    registers: [this.registry],
  });

  private readonly appendDuration = new Histogram({
    name: 'complaints_append_duration_seconds',
    help: 'Time to append events to the event store, including the commit.',
    buckets: APPEND_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** One handled command: `recordCommand('DispatchWorkOrder', 'ok', 0.004)`. */
  recordCommand(command: string, outcome: CommandOutcome, seconds: number): void {
    this.commands.inc({ command, outcome });
    this.commandDuration.observe({ command }, seconds);
  }

  /** One append to the event store. */
  observeAppend(seconds: number): void {
    this.appendDuration.observe(seconds);
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

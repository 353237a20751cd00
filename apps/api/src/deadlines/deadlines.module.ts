import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { QueriesModule } from '../queries/queries.module';
import { DEADLINE_SCHEDULER_OPTIONS, DeadlineScheduler } from './deadline-scheduler';

/** How often the scheduler looks for due deadlines when the clock is the real one. */
const INTERVAL_MS = 1_000;

/** The deadline scheduler: with the test clock it runs only when the clock moves. */
@Module({
  imports: [CqrsModule, QueriesModule],
  providers: [DeadlineScheduler],
  exports: [DeadlineScheduler],
})
export class DeadlinesModule {
  static forRoot(options: { testClock: boolean }) {
    return {
      module: DeadlinesModule,
      global: true,
      providers: [{ provide: DEADLINE_SCHEDULER_OPTIONS, useValue: { intervalMs: options.testClock ? 0 : INTERVAL_MS } }],
    };
  }
}

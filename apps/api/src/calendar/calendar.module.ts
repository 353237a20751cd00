import { Inject, Module, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock, CLOCK } from '@complaints/application';
import { HealthRegistry, ROOT_LOGGER } from '../platform/observability';
import { WorkingDayCalendar } from '@complaints/domain/calendar/working-days';
import { checkCalendarCoverage, loadWorkingDayCalendar, WORKING_DAYS_FILE } from './working-day-calendar.loader';

/** Injection token of the mainland China {@link WorkingDayCalendar}: `@Inject(WORKING_DAY_CALENDAR) calendar: WorkingDayCalendar`. */
export const WORKING_DAY_CALENDAR = Symbol('WORKING_DAY_CALENDAR');

/**
 * The working-day calendar for deadlines counted in working days: from the
 * file named by WORKING_DAYS_FILE, else from the `chinese-days` package.
 *
 * It is loaded while the application is created, before it listens, so a
 * missing or bad calendar stops the start-up with the loader's message. One
 * without the current year starts with an error in the log and `/health`
 * degraded, one without the next year with a warning: the deadlines in working
 * days that fall into a missing year are refused at scheduling until it is
 * supplied, and everything else runs. CLOCK comes from the global
 * StorageModule (the test clock when COMPLAINTS_TEST_CLOCK=1).
 */
@Module({
  providers: [
    {
      provide: WORKING_DAY_CALENDAR,
      inject: [CLOCK, { token: ROOT_LOGGER, optional: true }],
      useFactory: (clock: Clock, logger?: Logger): WorkingDayCalendar => {
        const calendar = loadWorkingDayCalendar({
          file: process.env[WORKING_DAYS_FILE],
          now: clock.now(),
          onCoverageProblem: ({ severity, message }) => (severity === 'error' ? logger?.error(message) : logger?.warn(message)),
        });
        logger?.info({ source: calendar.source, years: calendar.years }, `working-day calendar: ${calendar.source}, ${calendar.years.from} to ${calendar.years.to}`);
        return calendar;
      },
    },
  ],
  exports: [WORKING_DAY_CALENDAR],
})
export class CalendarModule implements OnModuleInit {
  constructor(
    @Inject(WORKING_DAY_CALENDAR) private readonly calendar: WorkingDayCalendar,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly health: HealthRegistry,
  ) {}

  /** `/health` says, at every check, whether the calendar covers the current year (not critical: only working-day deadlines need it). */
  onModuleInit(): void {
    this.health.register(
      'calendar',
      () => {
        const problem = checkCalendarCoverage(this.calendar, this.clock.now());
        const covers = `${this.calendar.source}, ${this.calendar.years.from} to ${this.calendar.years.to}`;
        if (problem?.severity === 'error') return { status: 'down', detail: problem.message };
        return { status: 'ok', detail: problem ? `${covers}; ${problem.message}` : covers };
      },
      { critical: false },
    );
  }
}

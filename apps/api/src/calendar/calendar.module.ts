import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock, CLOCK } from '@complaints/application';
import { ROOT_LOGGER } from '../platform/observability';
import { WorkingDayCalendar } from '@complaints/domain/calendar/working-days';
import { loadWorkingDayCalendar, WORKING_DAYS_FILE } from './working-day-calendar.loader';

/** Injection token of the mainland China {@link WorkingDayCalendar}: `@Inject(WORKING_DAY_CALENDAR) calendar: WorkingDayCalendar`. */
export const WORKING_DAY_CALENDAR = Symbol('WORKING_DAY_CALENDAR');

/**
 * The working-day calendar for deadlines counted in working days: from the
 * file named by WORKING_DAYS_FILE, else from the `chinese-days` package.
 *
 * It is loaded while the application is created, before it listens, so a
 * missing or bad calendar, or one without the current year, stops the
 * start-up with the loader's message; one without the next year starts with a
 * warning (such deadlines are refused at scheduling until it is supplied). CLOCK comes from the global
 * StorageModule (the test clock when COMPLAINTS_TEST_CLOCK=1).
 */
@Module({
  providers: [
    {
      provide: WORKING_DAY_CALENDAR,
      inject: [CLOCK, { token: ROOT_LOGGER, optional: true }],
      useFactory: (clock: Clock, logger?: Logger): WorkingDayCalendar => {
        const calendar = loadWorkingDayCalendar({ file: process.env[WORKING_DAYS_FILE], now: clock.now(), onWarning: (warning) => logger?.warn(warning) });
        logger?.info({ source: calendar.source, years: calendar.years }, `working-day calendar: ${calendar.source}, ${calendar.years.from} to ${calendar.years.to}`);
        return calendar;
      },
    },
  ],
  exports: [WORKING_DAY_CALENDAR],
})
export class CalendarModule {}

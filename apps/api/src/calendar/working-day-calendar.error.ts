/**
 * No usable working-day calendar: the server must not start, since every
 * deadline counted in working days depends on it. The message says what is
 * wrong, lists every problem one a line, and says what to do; it is written
 * to be printed as it is.
 */
export class WorkingDayCalendarUnavailable extends Error {
  constructor(
    /** what is wrong, in one sentence */
    readonly headline: string,
    /** every problem found, one a line */
    readonly problems: readonly string[],
    /** what an operator does about it */
    readonly remedy: string,
  ) {
    super(
      [
        `Working-day calendar unavailable: ${headline}${problems.length > 0 ? ` (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):` : '.'}`,
        ...problems.map((p) => `  - ${p}`),
        `To fix: ${remedy}.`,
      ].join('\n'),
    );
    this.name = 'WorkingDayCalendarUnavailable';
  }
}

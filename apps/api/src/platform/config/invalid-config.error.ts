export interface ConfigProblem {
  /** the environment variable, e.g. `PORT` */
  readonly variable: string;
  /** what is wrong with the value given */
  readonly problem: string;
  /** what would be accepted */
  readonly expected: string;
}

/**
 * The configuration was refused. The message lists every problem, one a line,
 * and is meant to be printed as it is (main prints it without a stack trace).
 */
export class InvalidConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      [
        `Invalid configuration (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):`,
        ...problems.map((p) => `  - ${p.variable}: ${p.problem}; expected ${p.expected}`),
      ].join('\n'),
    );
    this.name = 'InvalidConfigError';
  }
}

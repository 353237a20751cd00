/** waitForPosition gave up: the projections named are still behind. */
export class WaitForPositionTimeoutError extends Error {
  constructor(
    readonly position: number,
    readonly timeoutMs: number,
    readonly behind: readonly string[],
  ) {
    super(`the read models did not reach position ${position} within ${timeoutMs} ms (behind: ${behind.join(', ') || 'unknown'})`);
    this.name = 'WaitForPositionTimeoutError';
  }
}

/** The runner was stopped: nothing will advance any more. */
export class ProjectionRunnerStoppedError extends Error {
  constructor() {
    super('the projection runner is stopped');
    this.name = 'ProjectionRunnerStoppedError';
  }
}

/** A rebuild ended because a projection failed on the way. */
export class ProjectionFailedError extends Error {
  constructor(
    readonly projection: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`projection ${projection} failed after position ${position}: ${reason}`);
    this.name = 'ProjectionFailedError';
  }
}

export class UnknownProjectionError extends Error {
  constructor(
    readonly projection: string,
    readonly known: readonly string[],
  ) {
    super(`there is no projection named ${projection} (known: ${known.join(', ') || 'none'})`);
    this.name = 'UnknownProjectionError';
  }
}

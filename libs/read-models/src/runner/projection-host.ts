import type { ProjectionStatus } from './projection-runner';

/**
 * What the application needs of whatever keeps its read models: the
 * {@link ProjectionRunner} itself, in this thread, or a host that runs one in a
 * worker thread so that projecting never takes the command path's CPU.
 */
export interface ProjectionHost {
  /** migrates, resets stale projections, then follows the log in the background */
  start(): Promise<void>;
  /** resolves once start() has finished: the read-model tables exist and may be queried */
  started(): Promise<void>;
  /** finishes the batch in flight, then stops; idempotent */
  stop(): Promise<void>;
  /** resolves when every projection that is not failing has applied the log up to `position` */
  waitForPosition(position: number, timeoutMs?: number): Promise<void>;
  status(): Promise<ProjectionStatus[]>;
}

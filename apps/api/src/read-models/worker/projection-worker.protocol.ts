import { PoliciesInForce } from '@complaints/domain';
import type { ProjectionStatus } from '@complaints/read-models';

/** What the worker is started with (structured-cloned: plain data only). */
export interface ProjectionWorkerData {
  eventStoreFile: string;
  readModelsFile: string;
  /** the policies in force (plain data: a worker gets a structured clone) */
  policies: PoliciesInForce;
  settings: {
    batchSize?: number;
    pollIntervalMs?: number;
    retry?: { initialDelayMs?: number; maxDelayMs?: number };
  };
}

/** From the main thread to the worker. */
export type ToProjectionWorker =
  /** the main thread committed events up to `position` */
  | { type: 'appended'; position: number }
  /** someone in the main thread waits for `position`: project now rather than after the coalescing delay */
  | { type: 'wait'; position: number }
  | { type: 'status'; id: number }
  | { type: 'stop' };

export type WorkerLogLevel = 'info' | 'warn' | 'error';

/** From the worker to the main thread. */
export type FromProjectionWorker =
  | { type: 'started'; reached: number }
  | { type: 'start-failed'; error: SerialisedError }
  /** every projection that is not failing has applied the log up to `reached` */
  | { type: 'progress'; reached: number }
  | { type: 'status'; id: number; statuses: ProjectionStatus[] }
  | { type: 'status-failed'; id: number; error: SerialisedError }
  | { type: 'log'; level: WorkerLogLevel; fields: Record<string, unknown>; message: string }
  | { type: 'stopped' };

export interface SerialisedError {
  name: string;
  message: string;
  stack?: string;
}

export function serialiseError(error: unknown): SerialisedError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

/** An Error again, on the receiving side, with the stack of where it was thrown. */
export function reviveError(error: SerialisedError): Error {
  const revived = new Error(error.message);
  revived.name = error.name;
  if (error.stack) revived.stack = error.stack;
  return revived;
}

import type * as Kurrent from '@kurrent/kurrentdb-client';

/**
 * The KurrentDB client, loaded on first use: the adapter is exported with the
 * rest of the event-store library, and a process that never connects to
 * EventStoreDB (the embedded default, its projection worker) should not carry
 * gRPC and protobuf (about 27 MB resident).
 */
export function kurrent(): typeof Kurrent {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@kurrent/kurrentdb-client') as typeof Kurrent;
}

// The client's constants are plain strings; the same values here need no loading.
export const START = 'start' as typeof Kurrent.START;
export const END = 'end' as typeof Kurrent.END;
export const BACKWARDS = 'backwards' as typeof Kurrent.BACKWARDS;
export const NO_STREAM = 'no_stream' as typeof Kurrent.NO_STREAM;

import { Decider } from '@complaints/domain';
import { EventMetadata, EventStore, NewEvent, RecordedEvent, WrongExpectedRevisionError } from '@complaints/event-store';

/** The If-Match revision the caller expected is not the stream's: HTTP 412. */
export class StaleRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`${streamId} is at revision ${actual}, not ${expected}`);
    this.name = 'StaleRevisionError';
  }
}

/** Another writer kept winning the race for the stream: HTTP 409. */
export class ConcurrencyConflictError extends Error {
  constructor(readonly streamId: string) {
    super(`${streamId} was changed by someone else at the same moment; try again`);
    this.name = 'ConcurrencyConflictError';
  }
}

/** what reading a stream that does not exist gives */
const NOTHING_READ: Promise<{ revision: number; events: RecordedEvent[] }> = Promise.resolve({ revision: 0, events: [] });

export interface PipelineRequest<State, Command, Event extends { type: string; data: unknown }> {
  streamId: string;
  decider: Decider<State, Command, Event>;
  /** builds the command from the loaded state; called again on each retry */
  command: Command | ((state: State) => Command);
  /** the revision the caller saw (If-Match); a mismatch is refused, never retried */
  expectedRevision?: number;
  /** checked on the loaded state before deciding: throws to refuse (scope, existence) */
  authorize?: (state: State) => void;
  /** ids of the events this command will write, by index; a stream holding the first already applied it */
  eventIds: (index: number) => string;
  /** stored with every event */
  metadata: EventMetadata;
  /** how often to re-read and re-decide when a concurrent writer got there first (0: never) */
  retries?: number;
  /**
   * The stream is expected not to exist (a creation under a new id): the
   * first try decides on the initial state without reading and appends as a
   * new stream. Should the stream exist after all (a retry, a reused id), the
   * store refuses that append or reports it stored already, and the command
   * runs again the usual way, reading first: same outcome, one read saved in
   * the common case.
   */
  expectNew?: boolean;
}

export interface PipelineResult<State, Event> {
  state: State;
  revision: number;
  /** the events of this command: written now, or found from an earlier try when `replayed`; empty for a no-op */
  events: Event[];
  /** global position of the last event written, when any was */
  lastPosition?: number;
  /** the command had been applied before (same event ids): nothing was written now */
  replayed: boolean;
}

export interface PipelineObserver {
  appended?(seconds: number): void;
}

/**
 * The one command path: read the stream, fold, decide, append with the
 * expected revision; on a lost race re-read and decide again where the
 * command allows. Nothing is written unless the decider accepts.
 */
export class CommandPipeline {
  constructor(
    private readonly store: EventStore,
    private readonly observer: PipelineObserver = {},
  ) {}

  async execute<State, Command, Event extends { type: string; data: unknown }>(
    request: PipelineRequest<State, Command, Event>,
  ): Promise<PipelineResult<State, Event>> {
    const { streamId, decider, expectedRevision, retries = 0 } = request;
    let assumeNew = request.expectNew === true && expectedRevision === undefined;
    for (let attempt = 0; ; attempt++) {
      const skippedRead = assumeNew;
      assumeNew = false;
      // Awaited like a read, so that commands issued together reach the store's queue in the order they were
      // issued whichever path they take (the demo's reproducible log relies on it).
      const { revision, events } = await (skippedRead ? NOTHING_READ : this.store.readStream(streamId));
      const state = events.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as Event), decider.initialState());

      const firstId = request.eventIds(0);
      const earlier = events.findIndex((e) => e.id === firstId);
      if (earlier >= 0) {
        // one append is contiguous in its stream: the command's events follow the first one
        const mine = events.slice(earlier).filter((e, i) => e.id === request.eventIds(i));
        return { state, revision, events: mine.map((e) => ({ type: e.type, data: e.data }) as Event), replayed: true };
      }
      if (expectedRevision !== undefined && expectedRevision !== revision) {
        throw new StaleRevisionError(streamId, expectedRevision, revision);
      }
      request.authorize?.(state);

      const command = typeof request.command === 'function' ? (request.command as (s: State) => Command)(state) : request.command;
      const decided = decider.decide(command, state);
      if (decided.length === 0) return { state, revision, events: [], replayed: false };

      const newEvents: NewEvent[] = decided.map((event, index) => ({
        // index 0 is the id just looked for: taken once, as a caller's eventIds need not return the same id twice
        id: index === 0 ? firstId : request.eventIds(index),
        type: event.type,
        data: event.data,
        metadata: request.metadata,
      }));
      const started = process.hrtime.bigint();
      try {
        const result = await this.store.append(streamId, newEvents, { expectedRevision: revision });
        this.observer.appended?.(Number(process.hrtime.bigint() - started) / 1e9);
        if (skippedRead && !result.written) {
          // stored by an earlier try: read it back, so the answer is what was stored, not what was decided now
          attempt--;
          continue;
        }
        const nextState = decided.reduce(decider.evolve, state);
        return {
          state: nextState,
          revision: result.nextRevision,
          events: decided,
          lastPosition: result.lastPosition,
          replayed: !result.written,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (skippedRead) {
          // the stream exists after all: decide again on what it holds (not a lost race: no retry is used up)
          attempt--;
          continue;
        }
        if (expectedRevision !== undefined) throw new StaleRevisionError(streamId, expectedRevision, error.actual);
        if (attempt >= retries) throw new ConcurrencyConflictError(streamId);
      }
    }
  }
}

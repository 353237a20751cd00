// Each projection owns its own tables, so the shared database has no one schema type.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { Kysely, Transaction } from 'kysely';
import { RecordedEvent } from '@complaints/event-store';

/**
 * A read model kept from the event log by the projection runner.
 *
 * The runner owns the transaction and the checkpoint: it calls `apply` with
 * the events after the projection's checkpoint, in position order, and writes
 * the new checkpoint in the same transaction, so the read model and its
 * checkpoint commit or roll back together.
 *
 * Projections must nevertheless be idempotent: an event applied a second time
 * (a checkpoint put back by an operator, a restored backup of the read-model
 * database that is older than its checkpoint, a second runner on the same
 * database) must change nothing. The usual way is to keep, on each row, the
 * position of the last event folded into it and to skip older ones. They use
 * the event's own time (`metadata.occurredAt`, else `recordedAt`), never the
 * clock, so that a rebuild writes the same rows as the live run did.
 *
 * A batch holds a few thousand events, and up to tens of thousands while the
 * runner catches up: write set-based (fold the batch in memory, then a few
 * multi-row statements per table), not one statement per event, or the
 * database round trips dominate a rebuild. The events are
 * shared by every projection of the batch: read them, never modify them.
 *
 * A statement that only changes rows may come back without counts
 * (`numAffectedRows`): during a rebuild on SQLite the runner's connection
 * sends such statements to another thread without waiting for them (see
 * SqliteWriterThread). A projection that must know what a change did asks
 * with RETURNING. A statement that returns rows waits for those sent before
 * it, so a projection reads what it wrote.
 */
export interface Projection {
  /** stable name, also the checkpoint key: 'complaints', 'work-order-hops' */
  readonly name: string;
  /** bump when the code changes what it writes: the runner then rebuilds it from position 0 */
  readonly version: number;
  /**
   * true: while it is rebuilt from position 0, it may hold back in memory
   * what its batches derive and write it later (see `ApplyContext.deferred`).
   * The runner then marks its checkpoint as a rebuild in progress until the
   * rebuild reaches the head of the log, and a rebuild that did not get there
   * (a crash, a failed batch, another runner taking over) starts again from 0.
   */
  readonly defersWhileRebuilding?: boolean;
  /** creates its tables and indexes if missing (idempotent) */
  migrate(db: Kysely<any>): Promise<void>;
  /** deletes every row it owns (before a rebuild) */
  reset(trx: Transaction<any>): Promise<void>;
  /**
   * applies a batch of events (position order, only events after its
   * checkpoint) inside the runner's transaction; must be idempotent. The
   * runner passes `context`; a caller that does not (a test) gets the same
   * rows, only without what the projection may keep in memory between batches.
   */
  apply(trx: Transaction<any>, events: readonly RecordedEvent[], context?: ApplyContext): Promise<void>;
}

/**
 * Where a batch stands, for a projection that keeps state in memory between
 * batches (a cache of rows it wrote). What it remembers from its last batch
 * describes the database only if that batch committed and nobody else moved
 * the checkpoint since: exactly when `checkpoint` is the position its last
 * batch ended at, given by the same `session`.
 */
export interface ApplyContext {
  /** the checkpoint this batch starts from, checked in this very transaction (compare-and-set) */
  readonly checkpoint: number;
  /** the runner: one event log and one read-model database */
  readonly session: object;
  /**
   * Only for a projection that `defersWhileRebuilding`: true while it is
   * rebuilt from position 0 and this batch does not reach the head of the
   * log. It may then leave out of the transaction what it keeps in memory for
   * later: nobody resumes from this checkpoint (a crash restarts the rebuild
   * from 0) and nobody reads it as complete (waiters wait for the end). A
   * batch without it (possibly one without events, at the head) must write
   * everything held back, so that the read model is whole at its checkpoint.
   */
  readonly deferred?: boolean;
}

/** The shared read-model database, untyped: each projection types its own tables. */
export type ReadModelDb = Kysely<any>;
export type ReadModelTransaction = Transaction<any>;

import { Inject, Injectable } from '@nestjs/common';
import { Kysely } from 'kysely';
import { EVENT_STORE, EventStore } from '@complaints/event-store';
import { ReadModelTables } from '@complaints/read-models/projections';
import { ProjectionHost } from '@complaints/read-models';
import { PROJECTION_HOST, READ_MODEL_DB } from '../read-models/read-models.module';

/** How long a query waits for the projections to reach what was written before it asked. */
const FRESHNESS_WAIT_MS = 2_000;

/**
 * The read models for a query: first waits (briefly) until the projections
 * have applied everything committed before the query arrived, so a caller
 * reads its own writes.
 */
@Injectable()
export class ReadModelsReader {
  constructor(
    @Inject(READ_MODEL_DB) private readonly db: Kysely<ReadModelTables>,
    @Inject(PROJECTION_HOST) private readonly runner: ProjectionHost,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async fresh(): Promise<Kysely<ReadModelTables>> {
    const head = await this.store.headPosition();
    await this.runner.waitForPosition(head, FRESHNESS_WAIT_MS).catch(() => undefined); // a lagging projection answers with what it has; /health says it lags
    return this.db;
  }
}

/// <reference types="jest" />
import { randomBytes } from 'node:crypto';
import { KurrentDBClient, START } from '@kurrent/kurrentdb-client';
import { clientConnectionString, redactedConnectionString } from '../esdb.mapping';

/**
 * Where the EventStoreDB tests run: EVENTSTORE_URL. No server can run on the
 * machines that run CI, so without it the suite is not run, and says so
 * plainly (the other adapters' suites fail instead when their server is
 * missing).
 */
export const EVENTSTORE_URL = process.env.EVENTSTORE_URL || undefined;

export const ESDB_NOT_RUN = 'EventStoreDB contract suite NOT RUN: set EVENTSTORE_URL=esdb://host:2113?tls=false to run it';

/** describe() for tests that need an EventStoreDB server: one visible skipped describe, and a line on the console, when none is configured. */
export function describeWithEventStoreDb(name: string, body: (url: string) => void): void {
  const url = EVENTSTORE_URL;
  if (url === undefined) {
    console.warn(ESDB_NOT_RUN);
    describe.skip(ESDB_NOT_RUN, () => it('needs an EventStoreDB server (EVENTSTORE_URL)', () => undefined));
    return;
  }
  describe(`${name} at ${redactedConnectionString(url)}`, () => {
    beforeAll(() => assertReachable(url));
    body(url);
  });
}

async function assertReachable(url: string): Promise<void> {
  const client = KurrentDBClient.connectionString(clientConnectionString(url));
  try {
    for await (const resolved of client.readAll({ fromPosition: START, maxCount: 1 })) void resolved;
  } catch (error) {
    throw new Error(
      `EventStoreDB is not reachable at ${redactedConnectionString(url)} (${error instanceof Error ? error.message : String(error)}). ` +
        'Start one (see README, "EventStoreDB"), or unset EVENTSTORE_URL.',
    );
  } finally {
    await client.dispose();
  }
}

/**
 * A stream prefix no other suite or run uses: the store's log is the events
 * of the streams that start with it, so each fixture starts with an empty
 * log on a shared server. Nothing is deleted afterwards (deleting would not
 * give the space back before a scavenge): run the suite on a server kept for
 * tests.
 */
export function freshStreamPrefix(label: string): string {
  return `${label}-${process.pid}-${randomBytes(6).toString('hex')}-`;
}

import { createServer } from 'node:net';
import { EsdbEventStore } from './esdb.event-store';

/*
 * The real client, with no server behind the address: what an operator sees
 * when EVENTSTORE_URL points nowhere. Needs no EventStoreDB, only a port on
 * which nothing listens.
 */
describe('EsdbEventStore with the real client and no server', () => {
  let url: string;

  beforeAll(async () => {
    // a port that was free a moment ago, so nothing answers on it
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    url = `esdb://admin:secret@127.0.0.1:${port}?tls=false&maxDiscoverAttempts=1&discoveryInterval=10`;
  });

  it('reports EventStoreDB as unreachable, naming where without the password, for reads and appends', async () => {
    const store = new EsdbEventStore({ connectionString: url });
    try {
      const read = await store.headPosition().catch((error: unknown) => error);
      const append = await store
        .append('s', [{ id: '0190a0a0-0000-7000-8000-000000000001', type: 'T', data: {} }], { expectedRevision: 'any' })
        .catch((error: unknown) => error);

      for (const error of [read, append]) {
        expect(error).toMatchObject({ name: 'EventStoreUnavailableError' });
        expect((error as Error).message).toContain(`esdb://admin:***@127.0.0.1`);
        expect((error as Error).message).not.toContain('secret');
      }
    } finally {
      await store.close();
    }
  }, 30_000);
});

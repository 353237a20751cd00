import { IdempotencyStore, StoredResponse } from '../idempotency.port';

/** Keeps responses as JSON text, like the SQLite adapter, so nobody shares a mutable object with the store. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly responses = new Map<string, string>();

  async get(scope: string, key: string): Promise<StoredResponse | undefined> {
    const json = this.responses.get(entryKey(scope, key));
    return json === undefined ? undefined : JSON.parse(json);
  }

  async put(scope: string, key: string, response: StoredResponse): Promise<void> {
    const entry = entryKey(scope, key);
    if (!this.responses.has(entry)) this.responses.set(entry, JSON.stringify(response));
  }

  async close(): Promise<void> {}
}

/** JSON of the pair: no separator a scope or key could contain. */
function entryKey(scope: string, key: string): string {
  return JSON.stringify([scope, key]);
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeStoreLocation, parseStoreLocation, StoreLocationError } from './store-location';

describe('store:migrate locations', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'store-location-'));
    writeFileSync(join(dir, 'log.bin'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads sqlite:DIR as DIR/events.sqlite and sqlite:FILE as the file', () => {
    expect(parseStoreLocation(`sqlite:${dir}`)).toEqual({ kind: 'sqlite', file: join(dir, 'events.sqlite') });
    expect(parseStoreLocation('sqlite:./data')).toEqual({ kind: 'sqlite', file: resolve('data', 'events.sqlite') });
    expect(parseStoreLocation('sqlite:./backup/events.sqlite')).toEqual({ kind: 'sqlite', file: resolve('backup/events.sqlite') });
    expect(parseStoreLocation(`sqlite:${join(dir, 'log.bin')}`)).toEqual({ kind: 'sqlite', file: join(dir, 'log.bin') });
    expect(() => parseStoreLocation('sqlite:')).toThrow(StoreLocationError);
  });

  it('reads postgres:// and postgresql:// with the adapter’s schema unless told another', () => {
    expect(parseStoreLocation('postgres://postgres@127.0.0.1:5432/complaints')).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://postgres@127.0.0.1:5432/complaints',
      schema: 'event_store',
    });
    expect(parseStoreLocation('postgresql://h/db', { schema: 'copy_1' })).toMatchObject({ schema: 'copy_1' });
    expect(() => parseStoreLocation('postgres://h/db', { schema: 'Bad-Name' })).toThrow(RangeError);
  });

  it('reads the EventStoreDB schemes, and refuses a schema for them and anything else', () => {
    for (const url of ['esdb://h:2113?tls=false', 'esdb+discover://h:2113', 'kurrentdb://h:2113', 'kurrentdb+discover://a,b']) {
      expect(parseStoreLocation(url)).toEqual({ kind: 'esdb', connectionString: url });
    }
    expect(() => parseStoreLocation('esdb://h:2113', { schema: 'x' })).toThrow(StoreLocationError);
    expect(() => parseStoreLocation('mysql://h/db')).toThrow(StoreLocationError);
    expect(() => parseStoreLocation('./data')).toThrow(StoreLocationError);
  });

  it('describes a location without its password', () => {
    expect(describeStoreLocation(parseStoreLocation('postgres://app:s3cret@db:5432/complaints'))).toBe(
      'postgres postgres://app:***@db:5432/complaints schema event_store',
    );
    expect(describeStoreLocation(parseStoreLocation('esdb://admin:changeit@h:2113'))).toBe('eventstoredb esdb://admin:***@h:2113');
  });
});

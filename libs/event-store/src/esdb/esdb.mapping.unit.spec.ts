import {
  AccessDeniedError,
  DeadlineExceededError,
  NO_STREAM,
  START,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import {
  classifyEsdbError,
  clientConnectionString,
  EsdbRecord,
  EventStoreUnavailableError,
  exactStreamState,
  isAfter,
  isOwnEvent,
  ownEventsFilter,
  PositionIndex,
  PositionIndexMismatchError,
  portRevisionOfState,
  readRevisionFrom,
  redactedConnectionString,
  toEventData,
  toPortRevision,
  toRecordedEvent,
  translateEsdbError,
} from './esdb.mapping';

const at = (commit: number, prepare = commit) => ({ commit: BigInt(commit), prepare: BigInt(prepare) });

describe('EventStoreDB mapping', () => {
  describe('revisions', () => {
    it('counts from 1 where EventStoreDB counts from 0, and a missing stream is 0', () => {
      expect(toPortRevision(0n)).toBe(1);
      expect(toPortRevision(41n)).toBe(42);
      expect(portRevisionOfState(NO_STREAM)).toBe(0);
      expect(portRevisionOfState(2n)).toBe(3);
      expect(() => portRevisionOfState('any')).toThrow(RangeError);
    });

    it('appends with the exact state of the revision read: no_stream for 0, revision - 1 otherwise', () => {
      expect(exactStreamState(0)).toBe(NO_STREAM);
      expect(exactStreamState(1)).toBe(0n);
      expect(exactStreamState(7)).toBe(6n);
      expect(() => exactStreamState(-1)).toThrow(RangeError);
      expect(() => exactStreamState(1.5)).toThrow(RangeError);
    });

    it('reads a stream from the port revision r at EventStoreDB revision r - 1', () => {
      expect(readRevisionFrom(undefined)).toBe(START);
      expect(readRevisionFrom(1)).toBe(START);
      expect(readRevisionFrom(0)).toBe(START);
      expect(readRevisionFrom(2)).toBe(1n);
      expect(readRevisionFrom(9)).toBe(8n);
    });

    it('refuses numbers beyond 2^53 rather than round them', () => {
      expect(() => toPortRevision(2n ** 60n)).toThrow(RangeError);
    });
  });

  describe('the store’s log', () => {
    it('is every non-system event without a prefix, the streams of its prefix with one', () => {
      expect(isOwnEvent('', 'complaint-1', 'ComplaintRegistered')).toBe(true);
      expect(isOwnEvent('', '$stats-127.0.0.1:2113', '$statsCollected')).toBe(false);
      expect(isOwnEvent('', '$ce-complaint', '$>')).toBe(false);
      expect(isOwnEvent('', '$projections-x-result', 'Result')).toBe(false);
      expect(isOwnEvent('', 'complaint-1', '$metadata')).toBe(false);
      expect(isOwnEvent('prod-', 'prod-complaint-1', 'ComplaintRegistered')).toBe(true);
      expect(isOwnEvent('prod-', 'staging-complaint-1', 'ComplaintRegistered')).toBe(false);
    });

    it('is filtered on the server: system events out, or the prefix in', () => {
      expect(ownEventsFilter('')).toMatchObject({ filterOn: 'eventType', regex: expect.any(String) });
      expect(new RegExp((ownEventsFilter('') as { regex: string }).regex).test('$statsCollected')).toBe(false);
      expect(new RegExp((ownEventsFilter('') as { regex: string }).regex).test('ComplaintRegistered')).toBe(true);
      expect(ownEventsFilter('prod-')).toMatchObject({ filterOn: 'streamName', prefixes: ['prod-'] });
    });

    it('orders $all positions by commit, then prepare within one append', () => {
      expect(isAfter(at(200, 200), at(100, 150))).toBe(true);
      expect(isAfter(at(100, 180), at(100, 150))).toBe(true);
      expect(isAfter(at(100, 150), at(100, 150))).toBe(false);
      expect(isAfter(at(100, 100), at(100, 150))).toBe(false);
    });
  });

  describe('events', () => {
    it('sends data and metadata as JSON copies, ids in lower case', () => {
      const data = { list: [1, 2] };
      const sent = toEventData({ id: '0190A0A0-0000-7000-8000-0000000000AB', type: 'T', data, metadata: { actor: 'u' } });

      data.list.push(3);
      expect(sent).toEqual({
        id: '0190a0a0-0000-7000-8000-0000000000ab',
        contentType: 'application/json',
        type: 'T',
        data: { list: [1, 2] },
        metadata: { actor: 'u' },
      });
      expect(toEventData({ id: 'x', type: 'T', data: undefined }).data).toBeNull();
      expect(toEventData({ id: 'x', type: 'T', data: 7 }).metadata).toEqual({});
      expect(() => toEventData({ id: 'x', type: 'T', data: { n: BigInt(1) } })).toThrow(TypeError);
    });

    it('keeps an imported event’s recorded time in the metadata, and takes it back out when read', () => {
      const sent = toEventData({ id: 'x', type: 'T', data: {}, metadata: { actor: 'u' } }, '2024-01-01T00:00:00.000Z');
      expect(sent.metadata).toEqual({ actor: 'u', $recordedAt: '2024-01-01T00:00:00.000Z' });

      const read = toRecordedEvent('p-', record({ streamId: 'p-s', metadata: sent.metadata }), 9);
      expect(read).toMatchObject({ streamId: 's', metadata: { actor: 'u' }, recordedAt: '2024-01-01T00:00:00.000Z', position: 9 });
    });

    it('reads a record as the port’s event: revision + 1, prefix off, empty metadata as {}, created as recordedAt', () => {
      expect(toRecordedEvent('', record({ revision: 4n, metadata: undefined }), 12)).toEqual({
        id: '0190a0a0-0000-7000-8000-000000000001',
        streamId: 's',
        type: 'T',
        data: { n: 1 },
        metadata: {},
        revision: 5,
        position: 12,
        recordedAt: '2025-03-01T08:00:00.123Z',
      });
      expect(toRecordedEvent('', record({ isJson: false, data: Buffer.from('[1]'), metadata: Buffer.from('{"a":1}') }), 1)).toMatchObject({
        data: [1],
        metadata: { a: 1 },
      });
      expect(() => toRecordedEvent('p-', record({ streamId: 'q-s' }), 1)).toThrow(RangeError);
    });
  });

  describe('PositionIndex', () => {
    it('numbers the positions it is given in log order, and finds them back', () => {
      const index = new PositionIndex();
      index.record(0, [at(100), at(300, 300), at(300, 420)]);
      index.record(3, [at(900)]);

      expect(index.count).toBe(4);
      expect(index.positionAt(0)).toBe(START);
      expect(index.positionAt(3)).toEqual(at(300, 420));
      expect(index.last()).toEqual(at(900));
      expect([100, 300, 420, 900, 500].map((p) => index.ordinalOf(at(0, p)))).toEqual([1, 2, 3, 4, undefined]);
      expect(index.isBeyond(at(901))).toBe(true);
      expect(index.isBeyond(at(900))).toBe(false);
      expect(() => index.positionAt(5)).toThrow(RangeError);
    });

    it('checks what it knows, extends with what follows, and ignores a read that does not join it', () => {
      const index = new PositionIndex();
      index.record(0, [at(100), at(200)]);
      index.record(1, [at(200), at(300)]);
      index.record(5, [at(900)]);

      expect(index.count).toBe(3);
      expect(() => index.record(1, [at(250)])).toThrow(PositionIndexMismatchError);
      expect(() => index.record(3, [at(50)])).toThrow(PositionIndexMismatchError);
    });

    it('grows past its first allocation', () => {
      const index = new PositionIndex();
      index.record(
        0,
        Array.from({ length: 5000 }, (_, i) => at(1000 + i * 64)),
      );
      expect(index.count).toBe(5000);
      expect(index.ordinalOf(at(0, 1000 + 4321 * 64))).toBe(4322);
    });
  });

  describe('errors and connection strings', () => {
    it('tells wrong expected versions, missing streams and unavailability apart, whatever class copy threw them', () => {
      expect(classifyEsdbError(new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: NO_STREAM }))).toBe('wrong-expected-version');
      expect(classifyEsdbError(new StreamNotFoundError(undefined, 's'))).toBe('stream-not-found');
      expect(classifyEsdbError({ type: 'stream-not-found' })).toBe('stream-not-found');
      for (const error of [new UnavailableError(), new DeadlineExceededError(), Object.assign(new Error('14 UNAVAILABLE'), { code: 14 })]) {
        expect(classifyEsdbError(error)).toBe('unavailable');
      }
      expect(classifyEsdbError({ type: 'not-leader' })).toBe('unavailable');
      expect(classifyEsdbError(new AccessDeniedError())).toBe('other');
      expect(classifyEsdbError(new Error('boom'))).toBe('other');
      expect(classifyEsdbError(undefined)).toBe('other');
    });

    it('names unavailability for the caller and passes every other error through', () => {
      const down = new UnavailableError();
      const translated = translateEsdbError(down, 'kurrentdb://h:2113');
      expect(translated).toBeInstanceOf(EventStoreUnavailableError);
      expect((translated as Error).message).toContain('kurrentdb://h:2113');
      expect((translated as Error).cause).toBe(down);
      const denied = new AccessDeniedError();
      expect(translateEsdbError(denied, 'x')).toBe(denied);
    });

    it('renames esdb:// to kurrentdb:// for the client, and hides passwords in messages', () => {
      expect(clientConnectionString('esdb://h:2113?tls=false')).toBe('kurrentdb://h:2113?tls=false');
      expect(clientConnectionString('esdb+discover://a:2113,b:2113')).toBe('kurrentdb+discover://a:2113,b:2113');
      expect(clientConnectionString('kurrentdb://h:2113')).toBe('kurrentdb://h:2113');
      expect(redactedConnectionString('esdb://admin:changeit@h:2113?tls=false')).toBe('esdb://admin:***@h:2113?tls=false');
    });
  });
});

function record(overrides: Partial<EsdbRecord> = {}): EsdbRecord {
  return {
    streamId: 's',
    id: '0190a0a0-0000-7000-8000-000000000001',
    revision: 0n,
    type: 'T',
    data: { n: 1 },
    metadata: {},
    isJson: true,
    created: new Date('2025-03-01T08:00:00.123Z'),
    position: at(100),
    ...overrides,
  };
}

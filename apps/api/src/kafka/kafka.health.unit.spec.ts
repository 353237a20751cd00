import { kafkaHealth } from './kafka.health';

const connected = { state: 'connected' as const, detail: 'in group g, 3 partitions assigned', lag: new Map([[0, 2], [1, 3]]) };
const running = { state: 'running' as const, position: 40 };

describe('the kafka health check', () => {
  it('is ok with the consumer in its group and the relay running', () => {
    expect(kafkaHealth(connected, running, 4, Date.now())).toEqual({ status: 'ok', detail: 'consumer connected (in group g, 3 partitions assigned), lag 5; relay running, lag 4 events' });
  });

  it('is down when the consumer crashed or the relay fails', () => {
    expect(kafkaHealth({ state: 'crashed', detail: 'KafkaJSConnectionError: Connection error', lag: new Map() }, running, 0, Date.now()).status).toBe('down');
    expect(kafkaHealth(connected, { state: 'failing', position: 40, lastError: 'no broker' }, 0, Date.now())).toEqual({ status: 'down', detail: expect.stringContaining('relay failing (no broker)') });
  });

  it('is down when a send has waited too long for the broker', () => {
    const now = Date.now();
    expect(kafkaHealth(connected, { ...running, sendingSince: now - 15_000 }, 120, now)).toEqual({ status: 'down', detail: expect.stringContaining('relay waiting 15 s for the broker, lag 120 events') });
    expect(kafkaHealth(connected, { ...running, sendingSince: now - 1_000 }, 120, now).status).toBe('ok');
  });

  it('is degraded while starting or far behind', () => {
    expect(kafkaHealth({ state: 'starting', lag: new Map() }, running, 0, Date.now()).status).toBe('degraded');
    expect(kafkaHealth(connected, running, 50_000, Date.now()).status).toBe('degraded');
  });

  it('is ok on an instance whose relay runs elsewhere (another instance holds its lease)', () => {
    expect(kafkaHealth(connected, { state: 'elsewhere', position: 40 }, 0, Date.now())).toEqual({
      status: 'ok',
      detail: 'consumer connected (in group g, 3 partitions assigned), lag 5; relay runs on another instance (it holds the lease)',
    });
  });
});

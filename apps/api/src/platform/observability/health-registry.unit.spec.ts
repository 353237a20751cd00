import { HealthRegistry } from './health-registry';

describe('HealthRegistry', () => {
  it('is ok with no indicators', async () => {
    expect(await new HealthRegistry().check()).toEqual({ status: 'ok', checks: {} });
  });

  it('reports every check and the worst status', async () => {
    const health = new HealthRegistry();
    health.register('event-store', async () => ({ status: 'ok' }));
    health.register('read-models', () => ({ status: 'degraded', detail: 'catching up: 120 events behind' }));
    expect(await health.check()).toEqual({
      status: 'degraded',
      checks: { 'event-store': { status: 'ok' }, 'read-models': { status: 'degraded', detail: 'catching up: 120 events behind' } },
    });
  });

  it('is down when a critical dependency is down', async () => {
    const health = new HealthRegistry();
    health.register('event-store', () => ({ status: 'down', detail: 'closed' }));
    health.register('read-models', () => ({ status: 'degraded' }));
    expect((await health.check()).status).toBe('down');
  });

  it('is only degraded when a non-critical dependency is down', async () => {
    const health = new HealthRegistry();
    health.register('kafka', () => ({ status: 'down', detail: 'no broker reachable' }), { critical: false });
    expect(await health.check()).toEqual({ status: 'degraded', checks: { kafka: { status: 'down', detail: 'no broker reachable' } } });
  });

  it('reports a check that throws as down, without its message', async () => {
    const health = new HealthRegistry();
    health.register('event-store', () => {
      throw new Error('SQLITE_CANTOPEN: /var/lib/complaints/events.sqlite');
    });
    expect(await health.check()).toEqual({ status: 'down', checks: { 'event-store': { status: 'down', detail: 'the check failed' } } });
  });

  it('reports a check that hangs as down after its timeout', async () => {
    const health = new HealthRegistry();
    health.register('kafka', () => new Promise(() => undefined), { timeoutMs: 20 });
    health.register('event-store', () => ({ status: 'ok' }));
    expect(await health.check()).toEqual({
      status: 'down',
      checks: { kafka: { status: 'down', detail: 'no answer within 20 ms' }, 'event-store': { status: 'ok' } },
    });
  });

  it('reports a check that answers nonsense as down', async () => {
    const health = new HealthRegistry();
    health.register('odd', () => ({ status: 'fine' }) as never);
    expect((await health.check()).checks.odd).toEqual({ status: 'down', detail: 'the check gave no status' });
  });

  it('refuses two indicators with one name', () => {
    const health = new HealthRegistry();
    health.register('event-store', () => ({ status: 'ok' }));
    expect(() => health.register('event-store', () => ({ status: 'ok' }))).toThrow('already registered');
  });
});

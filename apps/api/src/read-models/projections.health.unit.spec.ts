import { ProjectionStatus } from '@complaints/read-models';
import { projectionsHealth } from './projections.health';

const NOW = Date.parse('2026-11-27T09:00:00.000Z');
const secondsAgo = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

function projection(overrides: Partial<ProjectionStatus> = {}): ProjectionStatus {
  return { name: 'complaints', version: 1, position: 100, head: 100, lag: 0, status: 'ok', lastError: null, lastBatchAt: secondsAgo(0.1), ...overrides };
}

describe('the projections health check', () => {
  it('is ok with the lag of each projection', () => {
    expect(projectionsHealth([projection(), projection({ name: 'work-order-hops', position: 97, lag: 3 })], NOW)).toEqual({
      status: 'ok',
      detail: 'lag in events: complaints 0, work-order-hops 3',
    });
  });

  it('is ok for a projection at the head however long ago its last batch was', () => {
    expect(projectionsHealth([projection({ lastBatchAt: secondsAgo(3600) })], NOW).status).toBe('ok');
  });

  it('is down when a projection is failing, without its error (the check is public)', () => {
    const failing = projection({ name: 'work-order-hops', status: 'failing', position: 40, lag: 60, lastError: 'SqliteError: no such table: secret_path' });
    expect(projectionsHealth([projection(), failing], NOW)).toEqual({ status: 'down', detail: 'failing: work-order-hops at position 40' });
  });

  it('is degraded when a projection lags more than 5,000 events', () => {
    expect(projectionsHealth([projection({ position: 1000, head: 6001, lag: 5001 })], NOW)).toEqual({
      status: 'degraded',
      detail: 'complaints is 5001 events behind',
    });
    expect(projectionsHealth([projection({ position: 1000, head: 6000, lag: 5000 })], NOW).status).toBe('ok');
  });

  it('is degraded when a projection is behind and has had no batch for more than 30 s', () => {
    expect(projectionsHealth([projection({ lag: 2, lastBatchAt: secondsAgo(31) })], NOW)).toEqual({
      status: 'degraded',
      detail: 'complaints is 2 events behind with no batch for 31 s',
    });
    expect(projectionsHealth([projection({ lag: 2, lastBatchAt: secondsAgo(29) })], NOW).status).toBe('ok');
  });

  it('is degraded while a projection waits for its rebuild', () => {
    expect(projectionsHealth([projection({ status: 'rebuild-pending' })], NOW)).toEqual({ status: 'degraded', detail: 'complaints waits for its rebuild' });
  });
});

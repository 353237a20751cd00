import { Gauge, Registry } from 'prom-client';
import { ProjectionStatus } from '@complaints/read-models';

/**
 * `complaints_projection_lag_events{projection}` and
 * `complaints_projection_position{projection}`, read from the runner when
 * Prometheus scrapes: the lag is measured against the head of the log at
 * that moment, so a stuck runner shows a growing lag instead of its last
 * good value.
 */
export function registerProjectionGauges(registry: Registry, status: () => Promise<ProjectionStatus[]>): void {
  new Gauge({
    name: 'complaints_projection_lag_events',
    help: 'Events in the log that the projection has not applied yet.',
    labelNames: ['projection'] as const,
    registers: [registry],
    async collect() {
      for (const { name, lag } of await status()) this.set({ projection: name }, lag);
    },
  });
  new Gauge({
    name: 'complaints_projection_position',
    help: 'Position of the last event the projection applied (its checkpoint).',
    labelNames: ['projection'] as const,
    registers: [registry],
    async collect() {
      for (const { name, position } of await status()) this.set({ projection: name }, position);
    },
  });
}

import { Gauge, Registry } from 'prom-client';
import { Leases } from './leases';

/** `complaints_lease_held{lease}`: 1 on the instance that runs the lease's work, 0 on the others. */
export function registerLeaseGauge(registry: Registry, leases: Leases): void {
  new Gauge({
    name: 'complaints_lease_held',
    help: 'Whether this instance holds the lease (runs the projections, the deadline scheduler, the Kafka relay).',
    labelNames: ['lease'] as const,
    registers: [registry],
    collect() {
      for (const { name, held } of leases.states()) this.set({ lease: name }, held ? 1 : 0);
    },
  });
}

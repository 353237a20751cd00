import { ProjectionStatus } from '@complaints/read-models';
import { HealthCheckResult } from '../platform/observability';

export interface ProjectionHealthThresholds {
  /** more events behind than this is degraded */
  maxLagEvents: number;
  /** behind, and no batch for longer than this, is degraded: the runner is stuck or overwhelmed */
  maxQuietMs: number;
}

export const PROJECTION_HEALTH_THRESHOLDS: ProjectionHealthThresholds = { maxLagEvents: 5000, maxQuietMs: 30_000 };

/**
 * The `projections` health check: down when a projection is failing (its
 * read model stops at the event it cannot apply), degraded when one lags
 * far behind or has been behind without progress for a while, else ok.
 * Names and numbers only: /health is public, the errors are in the logs
 * and in `npm run projections -- status`.
 */
export function projectionsHealth(
  statuses: readonly ProjectionStatus[],
  now: number,
  thresholds: ProjectionHealthThresholds = PROJECTION_HEALTH_THRESHOLDS,
): HealthCheckResult {
  const failing = statuses.filter((s) => s.status === 'failing');
  if (failing.length > 0) return { status: 'down', detail: `failing: ${failing.map((s) => `${s.name} at position ${s.position}`).join(', ')}` };

  const problems = statuses.flatMap((s) => {
    if (s.status === 'rebuild-pending') return [`${s.name} waits for its rebuild`];
    if (s.lag > thresholds.maxLagEvents) return [`${s.name} is ${s.lag} events behind`];
    const quietMs = s.lastBatchAt === null ? Infinity : now - Date.parse(s.lastBatchAt);
    if (s.lag > 0 && quietMs > thresholds.maxQuietMs) return [`${s.name} is ${s.lag} events behind with no batch for ${Math.round(quietMs / 1000)} s`];
    return [];
  });
  if (problems.length > 0) return { status: 'degraded', detail: problems.join('; ') };

  return { status: 'ok', detail: `lag in events: ${statuses.map((s) => `${s.name} ${s.lag}`).join(', ') || 'no projections'}` };
}

import { Injectable } from '@nestjs/common';

export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface HealthCheckResult {
  status: HealthStatus;
  /** for an operator; /health is public, so say what is wrong, not connection strings */
  detail?: string;
}

export type HealthIndicator = () => Promise<HealthCheckResult> | HealthCheckResult;

export interface HealthIndicatorOptions {
  /**
   * false: this dependency being down only degrades the service (e.g. Kafka,
   * whose messages wait), so the report says `degraded`, not `down`.
   * Default true.
   */
  critical?: boolean;
  /** a check that takes longer is reported down; default 2000 ms */
  timeoutMs?: number;
}

export interface HealthReport {
  status: HealthStatus;
  checks: Record<string, HealthCheckResult>;
}

interface Registration {
  indicator: HealthIndicator;
  critical: boolean;
  timeoutMs: number;
}

const DEFAULT_TIMEOUT_MS = 2000;

/**
 * Health indicators registered by the modules that own a dependency, usually
 * in `onModuleInit`:
 *
 *     health.register('event-store', async () => ({ status: 'ok' }));
 *
 * `check()` runs them all concurrently; a check that throws or hangs is
 * reported down instead of failing the whole report.
 */
@Injectable()
export class HealthRegistry {
  private readonly indicators = new Map<string, Registration>();

  register(name: string, indicator: HealthIndicator, options: HealthIndicatorOptions = {}): void {
    if (this.indicators.has(name)) throw new Error(`a health indicator named ${name} is already registered`);
    this.indicators.set(name, {
      indicator,
      critical: options.critical ?? true,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  }

  async check(): Promise<HealthReport> {
    const entries = [...this.indicators.entries()];
    const results = await Promise.all(entries.map(([, registration]) => runCheck(registration)));

    const checks: Record<string, HealthCheckResult> = {};
    let status: HealthStatus = 'ok';
    entries.forEach(([name, { critical }], i) => {
      const result = results[i];
      checks[name] = result;
      status = worse(status, result.status === 'down' && !critical ? 'degraded' : result.status);
    });
    return { status, checks };
  }
}

const SEVERITY: Record<HealthStatus, number> = { ok: 0, degraded: 1, down: 2 };

function worse(a: HealthStatus, b: HealthStatus): HealthStatus {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

async function runCheck({ indicator, timeoutMs }: Registration): Promise<HealthCheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'down', detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve().then(indicator), timeout]);
    return isHealthCheckResult(result) ? result : { status: 'down', detail: 'the check gave no status' };
  } catch {
    // The error's message is not echoed: /health is public and messages of
    // driver errors carry hosts, paths or SQL.
    return { status: 'down', detail: 'the check failed' };
  } finally {
    clearTimeout(timer);
  }
}

function isHealthCheckResult(value: unknown): value is HealthCheckResult {
  return typeof value === 'object' && value !== null && (value as HealthCheckResult).status in SEVERITY;
}

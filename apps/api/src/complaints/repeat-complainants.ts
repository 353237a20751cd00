import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { Clock, CLOCK } from '@complaints/application';
import { ComplaintPolicy, ComplaintRegistered } from '@complaints/domain';
import { EVENT_STORE, EventStore, RecordedEvent, Subscription } from '@complaints/event-store';
import { CHECKPOINT_TABLE, ProjectionHost } from '@complaints/read-models';
import { ComplaintsProjection, ReadModelTables } from '@complaints/read-models/projections';
import { complaintsByMsisdnSince } from '@complaints/read-models/queries';
import { ROOT_LOGGER } from '../platform/observability';
import { PROJECTION_HOST, READ_MODEL_DB } from '../read-models/read-models.module';
import { ReadModelsReader } from '../queries/read-models.reader';
import { COMPLAINT_POLICY } from './complaint-policy.provider';

const DAY_MS = 86_400_000;
/** registrations older than the window are dropped this often (they are skipped when counting anyway) */
const SWEEP_INTERVAL_MS = 3_600_000;

interface Registration {
  at: number;
  complaintId: string;
}

/**
 * How many complaints a number made in the repeat window (DOMAIN.md: a third
 * complaint within 30 days raises the level), answered from memory.
 *
 * The registration command needs this fact before it runs. Asking the read
 * models would make every registration wait for the projections to apply
 * everything committed before it; this index is a read model of its own, of
 * one event type, kept in this thread from a subscription to the log: it is
 * fresh as soon as a commit of this process returns (commits of other
 * processes on the same log arrive within the store's poll interval, as
 * concurrent registrations would), and costs a map lookup.
 *
 * It starts from the `complaints` read model (the registrations of the window
 * and the checkpoint they stand at, read in one transaction), then follows
 * the log from that checkpoint, so a restart reads only what the projections
 * had not applied yet. It holds only the window: a few hundred thousand
 * entries for a province's month. Should its subscription fail, counting falls
 * back to a query of the read models.
 */
@Injectable()
export class RepeatComplainants implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly byMsisdn = new Map<string, Registration[]>();
  private loading: Promise<void> | undefined;
  private subscription: Subscription | undefined;
  private failed: unknown;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly windowMs: number;
  private readonly logger: Logger;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_DB) private readonly db: Kysely<ReadModelTables>,
    @Inject(PROJECTION_HOST) private readonly projections: ProjectionHost,
    @Inject(COMPLAINT_POLICY) policy: ComplaintPolicy,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ROOT_LOGGER) logger: Logger,
    private readonly readModels: ReadModelsReader,
  ) {
    this.windowMs = policy.repeatWindowDays * DAY_MS;
    this.logger = logger.child({ component: 'repeat-complainants' });
  }

  onApplicationBootstrap(): void {
    // In the background: the read models may still be migrating; the first count waits for it.
    this.loading = this.load();
    this.loading.catch(() => undefined);
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.loading?.catch(() => undefined);
    await this.subscription?.close();
  }

  /**
   * Complaints registered by `msisdn` in the policy's window before `now`,
   * closed ones included, not counting `exclude` (the complaint being
   * registered, when a retry finds it stored already).
   */
  async countBefore(msisdn: string, now: Date, exclude: string): Promise<number> {
    const since = now.getTime() - this.windowMs;
    if (!(await this.upToDate())) {
      return complaintsByMsisdnSince(await this.readModels.fresh(), msisdn, new Date(since), exclude);
    }
    let count = 0;
    for (const registration of this.byMsisdn.get(msisdn) ?? []) {
      if (registration.at >= since && registration.complaintId !== exclude) count++;
    }
    return count;
  }

  /**
   * true once the index has caught up with the log (then it takes each commit
   * of this process before the next request is read: the subscription is
   * handed the commit's events and handles them in microtasks, which run
   * before any new I/O); false when it cannot be used.
   */
  private async upToDate(): Promise<boolean> {
    try {
      await this.loading;
    } catch {
      return false;
    }
    return this.failed === undefined;
  }

  private async load(): Promise<void> {
    await this.projections.started();
    const since = new Date(this.clock.now().getTime() - this.windowMs).toISOString();
    const projection = new ComplaintsProjection().name;
    // One read transaction: the rows and the checkpoint they stand at agree.
    const { checkpoint, rows } = await this.db.transaction().execute(async (trx) => {
      const stored = await sql<{ position: number }>`SELECT position FROM ${sql.table(CHECKPOINT_TABLE)} WHERE name = ${projection}`.execute(trx);
      const registered = await trx.selectFrom('complaints').select(['id', 'msisdn', 'registered_at']).where('registered_at', '>=', since).execute();
      return { checkpoint: Number(stored.rows[0]?.position ?? 0), rows: registered };
    });
    for (const row of rows) this.add(row.msisdn, Date.parse(row.registered_at), row.id);
    const head = await this.store.headPosition();
    this.logger.info(
      { numbers: this.byMsisdn.size, registrations: rows.length, from: checkpoint, head },
      `repeat-complainant index loaded from the read models; following the log from position ${checkpoint}`,
    );
    this.subscription = this.store.subscribe((event) => this.take(event), {
      fromPosition: checkpoint,
      onError: (error) => {
        this.failed = error;
        this.logger.error({ err: error }, 'the repeat-complainant index stopped following the log; counting from the read models');
      },
    });
    await this.subscription.caughtUp();
  }

  private take(event: RecordedEvent): void {
    if (event.type === 'ComplaintRegistered') {
      const { customer, registeredAt, complaintId } = event.data as ComplaintRegistered['data'];
      this.add(customer.msisdn, Date.parse(registeredAt), complaintId);
    }
  }

  private add(msisdn: string, at: number, complaintId: string): void {
    const list = this.byMsisdn.get(msisdn);
    if (list === undefined) {
      this.byMsisdn.set(msisdn, [{ at, complaintId }]);
      return;
    }
    if (list.some((r) => r.complaintId === complaintId)) return; // at-least-once: the read model and the log overlap
    const horizon = this.clock.now().getTime() - this.windowMs;
    const kept = list.filter((r) => r.at >= horizon);
    kept.push({ at, complaintId });
    this.byMsisdn.set(msisdn, kept);
  }

  /** drops registrations that left the window; numbers with none left go */
  private sweep(): void {
    const horizon = this.clock.now().getTime() - this.windowMs;
    for (const [msisdn, list] of this.byMsisdn) {
      const kept = list.filter((r) => r.at >= horizon);
      if (kept.length === 0) this.byMsisdn.delete(msisdn);
      else if (kept.length < list.length) this.byMsisdn.set(msisdn, kept);
    }
  }
}

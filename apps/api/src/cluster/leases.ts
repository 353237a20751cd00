/** The {@link Leases} of this process: local (one process holds everything) or PostgreSQL advisory locks. */
export const LEASES = Symbol('LEASES');

/**
 * Background work that must run on one instance of the cluster at a time:
 * the projections, the deadline scheduler, the Kafka relay.
 */
export interface LeasedWork {
  /** this instance got the lease: start the work (resolve once it runs) */
  start(): Promise<void> | void;
  /**
   * the lease is lost (its connection failed) or released (shutdown): stop,
   * and resolve once nothing of the work runs any more. May be called after
   * a start() that threw.
   */
  stop(): Promise<void> | void;
}

export interface LeaseHandle {
  readonly name: string;
  /** whether the work runs here now */
  held(): boolean;
  /** stops the work if it runs here and gives the lease up (for good: shutdown) */
  release(): Promise<void>;
}

export interface LeaseState {
  name: string;
  held: boolean;
  /** since when this instance holds it (ISO-8601) */
  since?: string;
}

export interface Leases {
  /** `local`: this process is the whole system; `postgres`: advisory locks shared by the instances of one database */
  readonly kind: 'local' | 'postgres';
  /**
   * Runs `work` while this instance holds the lease `name`: at once when it
   * is free, else when its holder dies. Resolves once the first attempt was
   * made (the work started here, or the lease is held elsewhere).
   */
  hold(name: string, work: LeasedWork): Promise<LeaseHandle>;
  states(): LeaseState[];
  /** releases every lease (stopping its work) and closes the connection */
  close(): Promise<void>;
}

/**
 * The embedded default: one process is the whole system, so it holds every
 * lease from the start and never loses one.
 */
export class LocalLeases implements Leases {
  readonly kind = 'local';
  private readonly held = new Map<string, { work: LeasedWork; since: string; released?: Promise<void> }>();

  async hold(name: string, work: LeasedWork): Promise<LeaseHandle> {
    if (this.held.has(name)) throw new Error(`lease ${name} is held already`);
    const entry: { work: LeasedWork; since: string; released?: Promise<void> } = { work, since: new Date().toISOString() };
    this.held.set(name, entry);
    await work.start();
    return {
      name,
      held: () => this.held.get(name) === entry && entry.released === undefined,
      release: () => {
        entry.released ??= Promise.resolve(work.stop()).finally(() => {
          if (this.held.get(name) === entry) this.held.delete(name);
        });
        return entry.released;
      },
    };
  }

  states(): LeaseState[] {
    return [...this.held.entries()].map(([name, { since }]) => ({ name, held: true, since }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.held.values()].map((entry) => (entry.released ??= Promise.resolve(entry.work.stop()))));
    this.held.clear();
  }
}

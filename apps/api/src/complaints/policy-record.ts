import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock, CLOCK } from '@complaints/application';
import { canonicalPolicyJson, ComplaintPolicy, PoliciesInForce, POLICY_BOOK, PolicyBook } from '@complaints/domain';
import { EVENT_STORE, EventStore, newEventId, RecordedEvent, WrongExpectedRevisionError } from '@complaints/event-store';
import { InvalidConfigError } from '../platform/config';
import { ROOT_LOGGER } from '../platform/observability/logger.token';
import { COMPLAINT_POLICIES } from './complaint-policy.provider';

/** The stream where every configured policy version is recorded when first put in force. */
export const POLICY_STREAM = 'policy-book';

export interface PolicyVersionAdopted {
  type: 'PolicyVersionAdopted';
  data: { version: string; policy: ComplaintPolicy };
}

const ATTEMPTS = 5;

/**
 * Records the configured policy versions in the event log, and refuses a
 * configuration that would rewrite history.
 *
 * Complaints and their clocks are judged by the version in force when they
 * started, and a version lives in POLICY_FILE, which anyone can edit. So the first time a
 * version is put in force it is recorded (`PolicyVersionAdopted` on
 * {@link POLICY_STREAM}, with the whole policy); from then on the server
 * refuses to start when the file changes that version or drops it, since
 * complaints may be judged by it. The built-in versions are code and are not
 * recorded. Safe with several instances starting at once: a lost race reads
 * the stream again and checks what the other one recorded.
 *
 * @returns the versions recorded now
 * @throws {InvalidConfigError} naming every version the file changed or dropped
 */
export async function recordPolicyVersions(store: EventStore, policies: PoliciesInForce, at: Date, builtIn: PolicyBook = POLICY_BOOK): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    const { revision, events } = await store.readStream(POLICY_STREAM);
    const recorded = new Map(
      events.filter((e): e is RecordedEvent<'PolicyVersionAdopted', PolicyVersionAdopted['data']> => e.type === 'PolicyVersionAdopted').map((e) => [e.data.version, e]),
    );
    const problems: string[] = [];
    for (const [version, earlier] of recorded) {
      const now = policies.book[version];
      const when = `was put in force at ${String(earlier.metadata.occurredAt ?? earlier.recordedAt)}`;
      if (now === undefined) {
        problems.push(`policy ${version} ${when} and complaints may be judged by it, but the file no longer has it; keep it in the file (it need not be current)`);
      } else if (canonicalPolicyJson(now) !== canonicalPolicyJson(earlier.data.policy)) {
        problems.push(`policy ${version} ${when} and the file now says otherwise; a version never changes: restore it, and give the change a version of its own`);
      }
    }
    if (problems.length > 0) {
      throw new InvalidConfigError(problems.map((problem) => ({ variable: 'POLICY_FILE', problem, expected: 'every version put in force kept as it was' })));
    }
    const adopted = Object.values(policies.book).filter((p) => builtIn[p.version] === undefined && !recorded.has(p.version));
    if (adopted.length === 0) return [];
    try {
      await store.append(
        POLICY_STREAM,
        adopted.map((policy) => ({
          id: newEventId(),
          type: 'PolicyVersionAdopted',
          data: { version: policy.version, policy } satisfies PolicyVersionAdopted['data'],
          metadata: { actor: 'system:policy', occurredAt: at.toISOString() },
        })),
        { expectedRevision: revision },
      );
      return adopted.map((p) => p.version);
    } catch (error) {
      // another instance recorded first: check against what it recorded
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= ATTEMPTS) throw error;
    }
  }
}

/** Runs {@link recordPolicyVersions} before the server serves anything. */
@Injectable()
export class PolicyRecord implements OnModuleInit {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COMPLAINT_POLICIES) private readonly policies: PoliciesInForce,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(ROOT_LOGGER) private readonly logger?: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const adopted = await recordPolicyVersions(this.store, this.policies, this.clock.now());
    const versions = Object.keys(this.policies.book).join(', ');
    this.logger?.info(
      { current: this.policies.current.version, versions, adopted },
      `complaints are registered under policy ${this.policies.current.version} (versions in force: ${versions}${adopted.length > 0 ? `; recorded now: ${adopted.join(', ')}` : ''})`,
    );
  }
}

import { DEFAULT_POLICY, readPolicyBook } from '@complaints/domain';
import { InMemoryEventStore } from '@complaints/event-store';
import { InvalidConfigError } from '../platform/config';
import { POLICY_STREAM, recordPolicyVersions } from './policy-record';

const AT = new Date('2027-01-01T00:00:00.000Z');
const LATER = new Date('2027-02-01T00:00:00.000Z');

const file = (...versions: object[]) => readPolicyBook({ current: '2026.1', versions });
const v2027 = { version: '2027.1', extends: '2026.1', workOrderReplyMinutes: 45 };

async function problemsOf(run: Promise<unknown>): Promise<string[]> {
  try {
    await run;
  } catch (error) {
    if (error instanceof InvalidConfigError) return error.problems.map((p) => `${p.variable}: ${p.problem}`);
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('recordPolicyVersions: a policy version put in force is kept as it was', () => {
  it('records each configured version once, with the whole policy; the built-in ones are code and are not recorded', async () => {
    const store = new InMemoryEventStore();
    expect(await recordPolicyVersions(store, file(), AT)).toEqual([]);
    expect((await store.readStream(POLICY_STREAM)).revision).toBe(0);

    expect(await recordPolicyVersions(store, file(v2027), AT)).toEqual(['2027.1']);
    expect(await recordPolicyVersions(store, file(v2027), LATER)).toEqual([]);
    const { events } = await store.readStream(POLICY_STREAM);
    expect(events.map((e) => [e.type, e.data, e.metadata])).toEqual([
      ['PolicyVersionAdopted', { version: '2027.1', policy: { ...DEFAULT_POLICY, version: '2027.1', workOrderReplyMinutes: 45 } }, { actor: 'system:policy', occurredAt: AT.toISOString() }],
    ]);

    expect(await recordPolicyVersions(store, file(v2027, { version: '2027.2', extends: '2027.1', appealRiskDays: 12 }), LATER)).toEqual(['2027.2']);
    expect((await store.readStream(POLICY_STREAM)).revision).toBe(2);
  });

  it('refuses a file that changed or dropped a recorded version, and writes nothing', async () => {
    const store = new InMemoryEventStore();
    await recordPolicyVersions(store, file(v2027, { version: 'b', extends: '2026.1', appealRiskDays: 9 }), AT);

    expect(await problemsOf(recordPolicyVersions(store, file({ ...v2027, workOrderReplyMinutes: 30 }, { version: 'c', extends: '2026.1' }), LATER))).toEqual([
      'POLICY_FILE: policy 2027.1 was put in force at 2027-01-01T00:00:00.000Z and the file now says otherwise; a version never changes: restore it, and give the change a version of its own',
      'POLICY_FILE: policy b was put in force at 2027-01-01T00:00:00.000Z and complaints may be judged by it, but the file no longer has it; keep it in the file (it need not be current)',
    ]);
    expect((await store.readStream(POLICY_STREAM)).revision).toBe(2);
  });

  it('the order of keys in the file is not a change', async () => {
    const store = new InMemoryEventStore();
    await recordPolicyVersions(store, file({ version: 'x', extends: '2026.1', levelTimeLimitMinutes: { 1: 60, 2: 30, 3: 10 } }), AT);
    expect(await recordPolicyVersions(store, file({ levelTimeLimitMinutes: { 3: 10, 2: 30, 1: 60 }, extends: '2026.1', version: 'x' }), LATER)).toEqual([]);
  });

  it('two instances starting at once record a version once', async () => {
    const store = new InMemoryEventStore();
    const both = await Promise.all([recordPolicyVersions(store, file(v2027), AT), recordPolicyVersions(store, file(v2027), AT)]);
    expect(both.flat()).toEqual(['2027.1']);
    expect((await store.readStream(POLICY_STREAM)).events).toHaveLength(1);
  });
});

import { DEFAULT_POLICY } from './complaint-policy';
import { canonicalPolicyJson, InvalidPolicyBook, readPolicyBook } from './policy-book';

function problemsOf(input: unknown): readonly string[] {
  try {
    readPolicyBook(input);
  } catch (error) {
    if (error instanceof InvalidPolicyBook) return error.problems;
    throw error;
  }
  throw new Error('the policy book was accepted');
}

describe('readPolicyBook: the policies an operator configures', () => {
  it('a version extends an earlier one and gives only what changes; the built-in versions stay in the book', () => {
    const { current, book } = readPolicyBook({
      current: '2027.1',
      versions: [
        {
          version: '2027.1',
          extends: '2026.1',
          workOrderReplyMinutes: 45,
          departments: { ...DEFAULT_POLICY.departments, roaming: { name: 'Roaming desk', nameZh: '漫游组' } },
        },
      ],
    });
    expect(current).toEqual({ ...DEFAULT_POLICY, version: '2027.1', workOrderReplyMinutes: 45, departments: { ...DEFAULT_POLICY.departments, roaming: { name: 'Roaming desk', nameZh: '漫游组' } } });
    expect(Object.keys(book)).toEqual(['2026.1', '2027.1']);
    expect(book['2026.1']).toBe(DEFAULT_POLICY);
  });

  it('a later version may extend an earlier one of the file, and current may stay the built-in one', () => {
    const { current, book } = readPolicyBook({
      current: '2026.1',
      versions: [
        { version: 'a', extends: '2026.1', appealRiskDays: 10 },
        { version: 'b', extends: 'a', refundVerifyMinutes: 5 },
      ],
    });
    expect(current).toBe(DEFAULT_POLICY);
    expect(book.b).toMatchObject({ version: 'b', appealRiskDays: 10, refundVerifyMinutes: 5 });
  });

  it('a version without extends gives every field', () => {
    const whole = { ...DEFAULT_POLICY, version: 'whole', callbackMaxAttempts: 5 };
    expect(readPolicyBook({ current: 'whole', versions: [whole] }).current).toEqual(whole);
    const { callbackMaxAttempts: _dropped, appealRiskDays: _too, ...partial } = whole;
    expect(problemsOf({ current: 'whole', versions: [partial] })).toEqual([
      'versions[0]: appealRiskDays, callbackMaxAttempts are missing (give every field, or "extends" a version and give only what changes)',
    ]);
  });

  it('the built-in version can be repeated unchanged but never redefined', () => {
    expect(readPolicyBook({ current: '2026.1', versions: [{ ...DEFAULT_POLICY }] }).current).toBe(DEFAULT_POLICY);
    expect(problemsOf({ current: '2026.1', versions: [{ version: '2026.1', extends: '2026.1', workOrderReplyMinutes: 30 }] })).toEqual([
      'versions[0].version: 2026.1 is built in and cannot be redefined; give your policy a version of its own (it may extend 2026.1)',
    ]);
  });

  it('names every bad field at once', () => {
    expect(
      problemsOf({
        current: 'nope',
        colour: 'red',
        versions: [
          {
            version: 'x 1',
            extends: '2026.1',
          },
          // an unknown field is the problem of its version: its values are checked once it is fixed
          { version: 'bad', extends: '2026.1', workOrderReplyMinutes: 0, slaColour: 'green' },
          { version: 'dup', extends: 'missing' },
          'not an object',
        ],
      }),
    ).toEqual([
      'colour: unknown key (a policy file has "current" and "versions")',
      'versions[0].version: must be a name of 1 to 40 letters, digits, ".", "_" or "-" (such as "2027.1")',
      expect.stringMatching(/^versions\[1\]\.slaColour: unknown policy field \(the fields are departments, routing, /),
      'versions[2].extends: must name a built-in or an earlier version (known: 2026.1)',
      'versions[3]: must be an object with a "version"',
      'current: nope is neither built in nor in versions (known: 2026.1)',
    ]);
  });

  it('names every bad value of a version whose keys are right', () => {
    expect(
      problemsOf({
        current: 'bad',
        versions: [
          {
            version: 'bad',
            extends: '2026.1',
            workOrderReplyMinutes: 0,
            refundVerifyMinutes: 2.5,
            routing: { billing: ['billing-center', 'nowhere'], network: [], service: ['customer-service'], vas: ['data'], other: ['data'] },
            levelTimeLimitMinutes: { 1: 60, 2: -1 },
            raisingChannels: ['pigeon'],
            escalationLadder: ['marketing-cs', 'desk'],
            escalationOnWorkOrderMiss: ['desk'],
            escalationOnUnsatisfied: 'nobody',
            warningMarks: ['warn50', 'warn50'],
            miitClasses: { byCategory: { billing: 'billing_dispute' }, bySubcategory: { roaming: 'weather' } },
          },
        ],
      }),
    ).toEqual([
      'versions[0].routing: billing goes to nowhere, which is not one of the departments',
      'versions[0].routing: network must list at least one department',
      'versions[0].routing: other is not a category (billing, network, service, vas)',
      'versions[0].levelTimeLimitMinutes: level 2 must be a whole number of minutes, at least 1',
      'versions[0].levelTimeLimitMinutes: level 3 must be a whole number of minutes, at least 1',
      expect.stringMatching(/^versions\[0\]\.raisingChannels: must be a list of channels \(business_hall, /),
      'versions[0].workOrderReplyMinutes: must be a whole number of at least 1',
      'versions[0].refundVerifyMinutes: must be a whole number of at least 1',
      'versions[0].escalationLadder: must start at desk and climb through distinct tiers of desk, branch-supervisor, branch-customer-supervisor, marketing-cs',
      'versions[0].escalationOnWorkOrderMiss: must list the tier of the first, second, … missed reply (branch-supervisor, branch-customer-supervisor, marketing-cs)',
      'versions[0].escalationOnUnsatisfied: must be one of branch-supervisor, branch-customer-supervisor, marketing-cs',
      'versions[0].warningMarks: must be a list of distinct marks among warn50, warn80 (empty: no early warnings)',
      'versions[0].miitClasses: byCategory.network must be one of user_service, billing_dispute, network_quality',
      'versions[0].miitClasses: byCategory.service must be one of user_service, billing_dispute, network_quality',
      'versions[0].miitClasses: byCategory.vas must be one of user_service, billing_dispute, network_quality',
      'versions[0].miitClasses: bySubcategory.roaming must be one of user_service, billing_dispute, network_quality',
    ]);
  });

  it('checks departments: ids, names, and the escalation tiers among them', () => {
    expect(problemsOf({ current: 'd', versions: [{ version: 'd', extends: '2026.1', departments: { 'Billing Center': { name: 'x' }, data: { name: 'Data', nameZh: '数据部' } } }] })).toEqual([
      'versions[0].departments: "Billing Center" is not a department id (lower-case letters, digits and "-", starting with a letter)',
      'versions[0].departments: Billing Center must be { "name": "…", "nameZh": "…" }',
      'versions[0].departments: the escalation tier branch-supervisor must be a department',
      'versions[0].departments: the escalation tier branch-customer-supervisor must be a department',
      'versions[0].departments: the escalation tier marketing-cs must be a department',
      'versions[0].routing: billing goes to billing-center, which is not one of the departments',
      'versions[0].routing: billing goes to support, which is not one of the departments',
      'versions[0].routing: network goes to eoms, which is not one of the departments',
      'versions[0].routing: service goes to customer-service, which is not one of the departments',
    ]);
  });

  it('a version is named once, and the file is an object', () => {
    expect(problemsOf({ current: 'a', versions: [{ version: 'a', extends: '2026.1' }, { version: 'a', extends: '2026.1', appealRiskDays: 9 }] })).toEqual([
      'versions[1].version: a is defined twice; a version never changes, so a change needs a new version',
    ]);
    expect(problemsOf([])).toEqual(['the file must hold a JSON object { "current": "<version>", "versions": [ … ] }']);
    expect(problemsOf({ current: 3, versions: {} })).toEqual(['versions: must be an array of policy versions, oldest first', 'current: must name the version new complaints are registered under (one of 2026.1)']);
  });

  it('canonical JSON does not depend on the order of keys', () => {
    expect(canonicalPolicyJson({ b: 1, a: [{ d: 2, c: undefined, e: 'x' }] })).toBe(canonicalPolicyJson({ a: [{ e: 'x', d: 2 }], b: 1 }));
  });
});

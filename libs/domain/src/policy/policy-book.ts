import { COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, COMPLAINT_LEVELS, EscalationTier } from '../complaint/complaint.types';
import { ComplaintPolicy, DEFAULT_POLICY, MIIT_CLASS_NAMES, PoliciesInForce, POLICY_BOOK, PolicyBook } from './complaint-policy';

/**
 * The policies an operator configures (POLICY_FILE), read and checked.
 *
 * The file lists versions, oldest first, and names the one `current`: new
 * complaints are registered under it. A version either gives every field
 * or `extends` an earlier one (or a built-in one) and gives only what it
 * changes; a field it gives replaces the inherited one whole. Keys starting
 * with `$` are notes and are ignored. The built-in
 * versions are always in the book, since complaints were registered under
 * them; a file can name one as `current` but never redefine it.
 *
 * ```json
 * { "current": "2027.1",
 *   "versions": [{ "version": "2027.1", "extends": "2026.1", "workOrderReplyMinutes": 45 }] }
 * ```
 */

/** What is in force without POLICY_FILE: the built-in policy alone. */
export const BUILT_IN_POLICIES: PoliciesInForce = { current: DEFAULT_POLICY, book: POLICY_BOOK };

/** Everything wrong with a policy file, one line per field. */
export class InvalidPolicyBook extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid policy book (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidPolicyBook';
  }
}

export const ESCALATION_TIERS: readonly EscalationTier[] = ['desk', 'branch-supervisor', 'branch-customer-supervisor', 'marketing-cs'];
const WARNING_MARKS = ['warn50', 'warn80'] as const;
const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
const DEPARTMENT_ID = /^[a-z][a-z0-9-]{0,39}$/;
const FILE_KEYS = ['current', 'versions'];
const POLICY_KEYS: readonly (keyof ComplaintPolicy)[] = Object.keys(DEFAULT_POLICY) as (keyof ComplaintPolicy)[];
const MIIT_CLASSES = Object.keys(MIIT_CLASS_NAMES);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** keys starting with $ are notes for the reader of the file (`$comment`), and are not part of a policy */
function isNote(key: string): boolean {
  return key.startsWith('$');
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** The same JSON whatever the order of keys: how two versions of one name are compared. */
export function canonicalPolicyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalPolicyJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalPolicyJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Reads a parsed policy file against the built-in book.
 *
 * @throws {InvalidPolicyBook} naming every bad field at once
 */
export function readPolicyBook(input: unknown, builtIn: PolicyBook = POLICY_BOOK): PoliciesInForce {
  const problems: string[] = [];
  if (!isObject(input)) throw new InvalidPolicyBook(['the file must hold a JSON object { "current": "<version>", "versions": [ … ] }']);
  for (const key of Object.keys(input)) if (!FILE_KEYS.includes(key) && !isNote(key)) problems.push(`${key}: unknown key (a policy file has "current" and "versions")`);

  const book: Record<string, ComplaintPolicy> = { ...builtIn };
  const versions = input.versions ?? [];
  if (!Array.isArray(versions)) problems.push('versions: must be an array of policy versions, oldest first');
  const defined = new Set<string>();
  /** names of versions with problems of their own: naming one as current is not a further problem */
  const flawed = new Set<unknown>();
  for (const [i, entry] of (Array.isArray(versions) ? versions : []).entries()) {
    const at = `versions[${i}]`;
    if (isObject(entry)) flawed.add(entry.version);
    const policy = readVersion(entry, at, book, defined, problems);
    if (policy === undefined) continue;
    defined.add(policy.version);
    flawed.delete(policy.version);
    const builtInOne = builtIn[policy.version];
    if (builtInOne !== undefined) {
      if (canonicalPolicyJson(builtInOne) !== canonicalPolicyJson(policy)) {
        problems.push(`${at}.version: ${policy.version} is built in and cannot be redefined; give your policy a version of its own (it may extend ${policy.version})`);
      }
      continue;
    }
    book[policy.version] = policy;
  }

  let current: ComplaintPolicy | undefined;
  if (!isText(input.current)) problems.push(`current: must name the version new complaints are registered under (one of ${Object.keys(book).join(', ')})`);
  else if (book[input.current] === undefined) {
    if (!flawed.has(input.current)) problems.push(`current: ${input.current} is neither built in nor in versions (known: ${Object.keys(book).join(', ')})`);
  } else current = book[input.current];

  if (problems.length > 0 || current === undefined) throw new InvalidPolicyBook(problems);
  return { current, book };
}

function readVersion(entry: unknown, at: string, book: Readonly<Record<string, ComplaintPolicy>>, defined: ReadonlySet<string>, problems: string[]): ComplaintPolicy | undefined {
  if (!isObject(entry)) {
    problems.push(`${at}: must be an object with a "version"`);
    return undefined;
  }
  const before = problems.length;
  const { version, extends: base, ...given } = entry;
  const fields = Object.fromEntries(Object.entries(given).filter(([key]) => !isNote(key)));
  if (typeof version !== 'string' || !VERSION_NAME.test(version)) {
    problems.push(`${at}.version: must be a name of 1 to 40 letters, digits, ".", "_" or "-" (such as "2027.1")`);
  } else if (defined.has(version)) {
    problems.push(`${at}.version: ${version} is defined twice; a version never changes, so a change needs a new version`);
  }
  for (const key of Object.keys(fields)) {
    if (!(POLICY_KEYS as string[]).includes(key)) problems.push(`${at}.${key}: unknown policy field (the fields are ${POLICY_KEYS.filter((k) => k !== 'version').join(', ')})`);
  }
  let inherited: Partial<ComplaintPolicy> = {};
  if (base !== undefined) {
    if (typeof base !== 'string' || book[base] === undefined) {
      problems.push(`${at}.extends: must name a built-in or an earlier version (known: ${Object.keys(book).join(', ')})`);
    } else {
      inherited = book[base];
    }
  }
  if (problems.length > before) return undefined;
  const policy = { ...inherited, ...fields, version } as ComplaintPolicy;
  policyProblems(policy, at, base === undefined, problems);
  return problems.length > before ? undefined : policy;
}

/** Every field of a whole policy that is missing or wrong, named `<at>.<field>`. */
function policyProblems(policy: ComplaintPolicy, at: string, whole: boolean, problems: string[]): void {
  const p = policy as unknown as Json;
  const missing = POLICY_KEYS.filter((k) => p[k] === undefined);
  if (missing.length > 0) {
    problems.push(`${at}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing${whole ? ' (give every field, or "extends" a version and give only what changes)' : ''}`);
    return;
  }
  const field = (name: keyof ComplaintPolicy, message: string) => problems.push(`${at}.${name}: ${message}`);
  const positive = (name: keyof ComplaintPolicy) => {
    const value = p[name];
    if (!Number.isInteger(value) || (value as number) < 1) field(name, 'must be a whole number of at least 1');
  };

  const departments = p.departments;
  const departmentIds = isObject(departments) ? Object.keys(departments) : [];
  if (!isObject(departments) || departmentIds.length === 0) field('departments', 'must be an object of department id → { "name", "nameZh" }');
  else {
    for (const [id, about] of Object.entries(departments)) {
      if (!DEPARTMENT_ID.test(id)) field('departments', `"${id}" is not a department id (lower-case letters, digits and "-", starting with a letter)`);
      if (!isObject(about) || !isText(about.name) || !isText(about.nameZh) || Object.keys(about).some((k) => k !== 'name' && k !== 'nameZh')) {
        field('departments', `${id} must be { "name": "…", "nameZh": "…" }`);
      }
    }
    // the escalation tiers receive escalated complaints as departments do
    for (const tier of ESCALATION_TIERS) if (tier !== 'desk' && !departmentIds.includes(tier)) field('departments', `the escalation tier ${tier} must be a department`);
  }

  const routing = p.routing;
  if (!isObject(routing)) field('routing', `must give, for each category (${COMPLAINT_CATEGORIES.join(', ')}), the departments it is dispatched to`);
  else {
    for (const category of COMPLAINT_CATEGORIES) {
      const to = routing[category];
      if (!Array.isArray(to) || to.length === 0) field('routing', `${category} must list at least one department`);
      else for (const d of to) if (typeof d !== 'string' || !departmentIds.includes(d)) field('routing', `${category} goes to ${String(d)}, which is not one of the departments`);
    }
    for (const key of Object.keys(routing)) if (!(COMPLAINT_CATEGORIES as readonly string[]).includes(key)) field('routing', `${key} is not a category (${COMPLAINT_CATEGORIES.join(', ')})`);
  }

  const limits = p.levelTimeLimitMinutes;
  if (!isObject(limits) || Object.keys(limits).some((k) => !COMPLAINT_LEVELS.map(String).includes(k))) {
    field('levelTimeLimitMinutes', 'must give the minutes of levels 1, 2 and 3, as { "1": 2880, "2": 1440, "3": 240 }');
  } else {
    for (const level of COMPLAINT_LEVELS) {
      const minutes = limits[level];
      if (!Number.isInteger(minutes) || (minutes as number) < 1) field('levelTimeLimitMinutes', `level ${level} must be a whole number of minutes, at least 1`);
    }
  }

  const channels = p.raisingChannels;
  if (!Array.isArray(channels) || channels.some((c) => !(COMPLAINT_CHANNELS as readonly unknown[]).includes(c))) {
    field('raisingChannels', `must be a list of channels (${COMPLAINT_CHANNELS.join(', ')})`);
  }

  for (const name of ['repeatThreshold', 'repeatWindowDays', 'workOrderReplyMinutes', 'refundVerifyMinutes', 'appealRiskDays', 'callbackWithinMinutes', 'callbackRetryMinutes', 'callbackMaxAttempts', 'queryAnswerWorkingDays'] as const) {
    positive(name);
  }

  const isTier = (t: unknown) => (ESCALATION_TIERS as readonly unknown[]).includes(t);
  const ladder = p.escalationLadder;
  if (!Array.isArray(ladder) || ladder.length < 2 || ladder[0] !== 'desk' || !ladder.every(isTier) || new Set(ladder).size !== ladder.length) {
    field('escalationLadder', `must start at desk and climb through distinct tiers of ${ESCALATION_TIERS.join(', ')}`);
  }
  const onMiss = p.escalationOnWorkOrderMiss;
  if (!Array.isArray(onMiss) || onMiss.length === 0 || !onMiss.every((t) => isTier(t) && t !== 'desk')) {
    field('escalationOnWorkOrderMiss', `must list the tier of the first, second, … missed reply (${ESCALATION_TIERS.filter((t) => t !== 'desk').join(', ')})`);
  }
  if (!isTier(p.escalationOnUnsatisfied) || p.escalationOnUnsatisfied === 'desk') {
    field('escalationOnUnsatisfied', `must be one of ${ESCALATION_TIERS.filter((t) => t !== 'desk').join(', ')}`);
  }

  const marks = p.warningMarks;
  if (!Array.isArray(marks) || marks.some((m) => !(WARNING_MARKS as readonly unknown[]).includes(m)) || new Set(marks).size !== marks.length) {
    field('warningMarks', `must be a list of distinct marks among ${WARNING_MARKS.join(', ')} (empty: no early warnings)`);
  }

  const miit = p.miitClasses;
  if (!isObject(miit) || !isObject(miit.byCategory) || !isObject(miit.bySubcategory) || Object.keys(miit).length !== 2) {
    field('miitClasses', `must be { "byCategory": { <category>: <class> }, "bySubcategory": { <subcategory>: <class> } } with classes ${MIIT_CLASSES.join(', ')}`);
  } else {
    for (const category of COMPLAINT_CATEGORIES) {
      if (!MIIT_CLASSES.includes(miit.byCategory[category] as string)) field('miitClasses', `byCategory.${category} must be one of ${MIIT_CLASSES.join(', ')}`);
    }
    for (const [sub, cls] of Object.entries(miit.bySubcategory)) {
      if (!MIIT_CLASSES.includes(cls as string)) field('miitClasses', `bySubcategory.${sub} must be one of ${MIIT_CLASSES.join(', ')}`);
    }
  }
}

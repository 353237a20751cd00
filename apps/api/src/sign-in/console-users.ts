import * as bcrypt from 'bcryptjs';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'fs';
import * as path from 'path';
import { DEFAULT_POLICY } from '@complaints/domain';
import { readPrincipalClaims } from '../platform/auth/principal-claims';
import { Role } from '../platform/auth/role';

const BUILT_IN_DEPARTMENTS = Object.keys(DEFAULT_POLICY.departments);

/** One person who signs in to the console; the token's `sub` is the username. */
export interface ConsoleUser {
  username: string;
  role: Role;
  branch?: string;
  department?: string;
  /** shown in the console's header, e.g. 王芳 */
  displayName?: string;
  /** bcrypt (bcryptjs), never the password */
  passwordHash: string;
}

export interface UsersFile {
  $comment?: string | string[];
  users: ConsoleUser[];
}

/** bcrypt's work factor: about 70 ms a check with bcryptjs here, enough to slow guessing, not a person. */
export const BCRYPT_ROUNDS = 10;
export const MIN_PASSWORD_LENGTH = 8;
/** usernames are token subjects and actors in the history: short, no spaces */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export class UsersFileError extends Error {
  constructor(file: string, problems: string[]) {
    super(`the users file ${file} is not usable:\n  ${problems.join('\n  ')}`);
    this.name = 'UsersFileError';
  }
}

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_ROUNDS);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

/** The problems of one user entry (every one, in the words of the file), none when it is usable. */
export function userProblems(user: Partial<ConsoleUser>, where: string, departments: readonly string[] = BUILT_IN_DEPARTMENTS): string[] {
  const problems: string[] = [];
  if (typeof user.username !== 'string' || !USERNAME_PATTERN.test(user.username)) {
    problems.push(`${where}: username must be 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`);
  }
  if (typeof user.passwordHash !== 'string' || !/^\$2[aby]\$\d{2}\$.{53}$/.test(user.passwordHash)) {
    problems.push(`${where}: passwordHash must be a bcrypt hash (npm run users -- add … writes one)`);
  }
  const claims = readPrincipalClaims({ sub: user.username ?? 'x', role: user.role, branch: user.branch, department: user.department });
  if (!claims.ok) problems.push(...claims.problems.filter((p) => p.claim !== 'sub').map((p) => `${where}: ${p.message}`));
  if (user.department !== undefined && !departments.includes(user.department)) {
    problems.push(`${where}: department ${user.department} is not one of ${departments.join(', ')}`);
  }
  if (user.displayName !== undefined && (typeof user.displayName !== 'string' || user.displayName.length > 50)) {
    problems.push(`${where}: displayName must be a string of at most 50 characters`);
  }
  return problems;
}

/** Reads and checks a users file; every problem at once. */
export function readUsersFile(file: string, departments: readonly string[] = BUILT_IN_DEPARTMENTS): UsersFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsersFileError(file, [(error as Error).message]);
  }
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as UsersFile).users)) throw new UsersFileError(file, ['it must be a JSON object with a "users" array']);
  const users = (parsed as UsersFile).users;
  const problems = users.flatMap((user, i) => userProblems(user ?? {}, `users[${i}]`, departments));
  const seen = new Set<string>();
  for (const user of users) {
    const key = String(user?.username).toLowerCase();
    if (seen.has(key)) problems.push(`username ${user.username} appears more than once`);
    seen.add(key);
  }
  if (problems.length > 0) throw new UsersFileError(file, problems);
  return parsed as UsersFile;
}

/** Writes the file whole (a new file renamed over the old, readable by its owner only), so a reader never sees half of it. */
export function writeUsersFile(file: string, content: UsersFile): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

/** The demo users shipped in config/ (README lists them): found from the repository root, compiled or not. */
export function demoUsersFile(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'config', 'demo-users.json');
    if (existsSync(candidate) && existsSync(path.join(dir, 'package.json'))) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

export type UsersSource = { kind: 'file'; file: string } | { kind: 'demo'; file: string } | { kind: 'none'; reason: string };

/**
 * Which file the users come from: USERS_FILE when it exists; else, outside
 * production, the demo users (so a fresh clone can sign in); else nobody.
 */
export function usersSource(usersFile: string, production: boolean): UsersSource {
  if (existsSync(usersFile)) return { kind: 'file', file: usersFile };
  if (production) return { kind: 'none', reason: `${usersFile} does not exist (add users with npm run users -- add …)` };
  const demo = demoUsersFile();
  return demo ? { kind: 'demo', file: demo } : { kind: 'none', reason: `${usersFile} does not exist and config/demo-users.json was not found` };
}

/**
 * The users, read again when the file changes (`npm run users` works on a
 * running server), by modification time and size.
 */
export class ConsoleUsers {
  private cache?: { file: string; stamp: string; users: Map<string, ConsoleUser> };

  constructor(
    private readonly usersFile: string,
    private readonly production: boolean,
    /** the departments a handler may belong to: those of the policies in force */
    private readonly departments: readonly string[] = BUILT_IN_DEPARTMENTS,
  ) {}

  source(): UsersSource {
    return usersSource(this.usersFile, this.production);
  }

  /** @throws {UsersFileError} when the file is there but not usable */
  find(username: string): ConsoleUser | undefined {
    const source = this.source();
    if (source.kind === 'none') return undefined;
    const stat = statSync(source.file);
    const stamp = `${stat.mtimeMs}:${stat.size}`;
    if (!this.cache || this.cache.file !== source.file || this.cache.stamp !== stamp) {
      const users = new Map(readUsersFile(source.file, this.departments).users.map((u) => [u.username.toLowerCase(), u]));
      this.cache = { file: source.file, stamp, users };
    }
    return this.cache.users.get(username.toLowerCase());
  }
}

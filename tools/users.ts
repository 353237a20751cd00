/**
 * The console's users, in USERS_FILE (default DATA_DIR/users.json):
 *
 *   npm run users -- add desk-009 --role agent --branch ZG --name 张敏
 *   npm run users -- add billing-02 --role handler --department billing-center
 *   npm run users -- passwd desk-009
 *   npm run users -- remove desk-009
 *   npm run users -- list
 *
 * The password is asked for (twice, not echoed) on a terminal, or read from
 * the first line of standard input (`echo "$PW" | npm run users -- add …`);
 * never from the command line, which shells keep in their history. It is
 * stored as a bcrypt hash. A running server sees the change at the next
 * sign-in. Once this file exists, the demo users no longer sign in.
 */
import * as path from 'path';
import { createInterface } from 'readline';
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync } from 'fs';
import { ROLES } from '../apps/api/src/platform/auth/role';
import { departmentsInForce, InvalidConfigError, loadPolicies } from '../apps/api/src/platform/config';
import {
  ConsoleUser,
  hashPassword,
  MIN_PASSWORD_LENGTH,
  readUsersFile,
  UsersFile,
  UsersFileError,
  userProblems,
  writeUsersFile,
} from '../apps/api/src/sign-in/console-users';

const USAGE = `usage: npm run users -- add <username> --role <role> [--branch <branch>] [--department <department>] [--name <display name>]
       npm run users -- passwd <username>
       npm run users -- remove <username>
       npm run users -- list

  --role        one of ${ROLES.join(', ')}
  --branch      required for agent, supervisor and accounts, e.g. ZG
  --department  required for handler, e.g. billing-center
  --name        the name the console shows, e.g. 王芳
  --file        the users file (default: USERS_FILE, else DATA_DIR/users.json, else ./data/users.json)`;

class UsageError extends Error {}

function usersFilePath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env.USERS_FILE ?? path.join(env.DATA_DIR ?? './data', 'users.json');
}

function load(file: string, departments: readonly string[]): UsersFile {
  return existsSync(file) ? readUsersFile(file, departments) : { $comment: 'The console users (npm run users). passwordHash is bcrypt; never put a password here.', users: [] };
}

/** One line from standard input, or asked for twice without echo on a terminal. */
async function askPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    throw new UsageError('no password on standard input');
  }
  const ask = (prompt: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => write(s.startsWith(prompt) ? prompt : s.replace(/[^\r\n]/g, ''));
      rl.question(prompt, (answer) => {
        rl.close();
        process.stderr.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('password: ');
  const again = await ask('again: ');
  if (first !== again) throw new UsageError('the two passwords differ');
  return first;
}

async function newHash(): Promise<string> {
  const password = await askPassword();
  if (password.length < MIN_PASSWORD_LENGTH) throw new UsageError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (Buffer.byteLength(password, 'utf8') > 72) throw new UsageError('the password must be at most 72 bytes (bcrypt reads no more)');
  return hashPassword(password);
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        role: { type: 'string' },
        branch: { type: 'string' },
        department: { type: 'string' },
        name: { type: 'string' },
        file: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return USAGE;
  const [command, username] = positionals;
  const file = usersFilePath(values.file, env);
  const departments = departmentsInForce(loadPolicies(env));
  const content = load(file, departments);
  const index = username === undefined ? -1 : content.users.findIndex((u) => u.username.toLowerCase() === username.toLowerCase());

  switch (command) {
    case 'list':
      return content.users.map((u) => [u.username, u.role, u.branch ?? u.department ?? '', u.displayName ?? ''].join('\t')).join('\n') || `(no users in ${file})`;
    case 'add': {
      if (!username) throw new UsageError('add needs a username');
      if (index >= 0) throw new UsageError(`${username} exists already (passwd changes the password; remove, then add, changes the role)`);
      const user = { username, role: values.role, branch: values.branch, department: values.department, displayName: values.name } as Partial<ConsoleUser>;
      const problems = userProblems({ ...user, passwordHash: '$2b$10$' + '.'.repeat(53) }, username, departments);
      if (problems.length > 0) throw new UsageError(problems.join('\n'));
      const entry: ConsoleUser = { ...(user as ConsoleUser), passwordHash: await newHash() };
      for (const key of ['branch', 'department', 'displayName'] as const) if (entry[key] === undefined) delete entry[key];
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      writeUsersFile(file, { ...content, users: [...content.users, entry] });
      return `added ${username} (${entry.role}) to ${file}`;
    }
    case 'passwd': {
      if (index < 0) throw new UsageError(`no user ${username ?? ''} in ${file}`);
      content.users[index] = { ...content.users[index], passwordHash: await newHash() };
      writeUsersFile(file, content);
      return `changed the password of ${content.users[index].username}`;
    }
    case 'remove': {
      if (index < 0) throw new UsageError(`no user ${username ?? ''} in ${file}`);
      const [removed] = content.users.splice(index, 1);
      writeUsersFile(file, content);
      return `removed ${removed.username} from ${file} (a token already issued stays valid until it expires)`;
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'a command is needed');
  }
}

run(process.argv.slice(2), process.env).then(
  (output) => process.stdout.write(`${output}\n`),
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    else if (error instanceof UsersFileError || error instanceof InvalidConfigError) process.stderr.write(`${error.message}\n`);
    else throw error;
    process.exit(2);
  },
);

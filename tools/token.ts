/**
 * Prints one bearer token for the API:
 *
 *   npm run token -- --role agent --branch ZG --sub desk-007
 *   npm run token -- --role handler --department billing-center --sub h-12 --expires 1h
 *
 * Signed with --secret, else JWT_SECRET, else the development secret the
 * server also falls back to. The token goes to stdout alone, so
 * `TOKEN=$(npm run -s token -- ...)` works; notes go to stderr.
 */
import { parseArgs } from 'node:util';
import { DEVELOPMENT_JWT_SECRET } from '../apps/api/src/platform/config/app-config';
import { PrincipalClaim, readPrincipalClaims } from '../apps/api/src/platform/auth/principal-claims';
import { ROLES } from '../apps/api/src/platform/auth/role';
import { SignOptions, TokenService } from '../apps/api/src/platform/auth/token.service';

const USAGE = `usage: npm run token -- --role <role> --sub <subject> [--branch <branch>] [--department <department>]
                         [--scope "<scope> <scope>"] [--expires <timespan>] [--secret <secret>]

  --role        one of ${ROLES.join(', ')}
  --sub         who the token is for, e.g. desk-007 (recorded as the actor of what they do)
  --branch      required for agent, supervisor and accounts, e.g. ZG
  --department  required for handler, e.g. billing-center
  --scope       space-separated scopes (optional)
  --expires     lifetime: seconds, or 30m, 12h, 7d (default 12h)
  --secret      signing secret (default: JWT_SECRET, else the development secret)`;

const FLAG_OF_CLAIM: Record<PrincipalClaim, string> = {
  sub: '--sub',
  role: '--role',
  branch: '--branch',
  department: '--department',
  scope: '--scope',
};

class UsageError extends Error {}

function run(argv: string[], env: NodeJS.ProcessEnv): string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        role: { type: 'string' },
        sub: { type: 'string' },
        branch: { type: 'string' },
        department: { type: 'string' },
        scope: { type: 'string' },
        expires: { type: 'string', default: '12h' },
        secret: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }

  const principal = {
    sub: values.sub,
    role: values.role,
    branch: values.branch,
    department: values.department,
    scope: values.scope,
  };
  // Every mistake at once, in the words of the flags.
  const reading = readPrincipalClaims(principal);
  const problems = reading.ok ? [] : reading.problems.map((p) => `${FLAG_OF_CLAIM[p.claim]}: ${p.message}`);
  const expiresIn = parseExpires(values.expires);
  if (expiresIn === undefined) problems.push(`--expires: ${JSON.stringify(values.expires)} is not a lifetime; use seconds or e.g. 30m, 12h, 7d`);
  if (!reading.ok || expiresIn === undefined) throw new UsageError(problems.join('\n'));

  const secret = values.secret ?? env.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET;
  const token = new TokenService(secret).sign(reading.principal, { expiresIn });
  if (secret === DEVELOPMENT_JWT_SECRET) process.stderr.write('note: signed with the development secret (JWT_SECRET is not set)\n');
  return token;
}

/**
 * Plain digits are seconds. (jsonwebtoken would read the string "3600" as
 * milliseconds, and the token would be expired before it is used.)
 */
function parseExpires(value: string): SignOptions['expiresIn'] | undefined {
  if (/^\d+$/.test(value)) return Number(value);
  if (/^\d+(\.\d+)?\s*(s|m|h|d|w|y)$/i.test(value)) return value as SignOptions['expiresIn'];
  return undefined;
}

try {
  process.stdout.write(`${run(process.argv.slice(2), process.env)}\n`);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  process.exit(2);
}

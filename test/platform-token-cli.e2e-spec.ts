import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenService } from '../apps/api/src/platform/auth';
import { DEVELOPMENT_JWT_SECRET } from '../apps/api/src/platform/config';

const ROOT = join(__dirname, '..');

/** `npm run token -- ...`, as a developer runs it: the script's command line, from package.json. */
const SCRIPT = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { token: string } }).scripts.token.split(/\s+/);

function token(args: string[], env: Record<string, string> = {}) {
  const { JWT_SECRET: _ignored, ...inherited } = process.env;
  const result = spawnSync(join(ROOT, 'node_modules/.bin', SCRIPT[0]), [...SCRIPT.slice(1), ...args], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run token', () => {
  jest.setTimeout(30_000);

  it('prints one token the server accepts, signed with the development secret by default', () => {
    const { status, stdout, stderr } = token(['--role', 'agent', '--branch', 'ZG', '--sub', 'desk-007']);
    expect(status).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(new TokenService(DEVELOPMENT_JWT_SECRET).verify(stdout.trim())).toEqual({ sub: 'desk-007', role: 'agent', branch: 'ZG', scopes: [] });
    expect(stderr).toContain('development secret');
  });

  it('signs with JWT_SECRET, or --secret', () => {
    const fromEnv = token(['--role', 'handler', '--department', 'billing-center', '--sub', 'h-1'], { JWT_SECRET: 'env-secret' });
    expect(new TokenService('env-secret').verify(fromEnv.stdout.trim())).toMatchObject({ role: 'handler', department: 'billing-center' });
    const fromFlag = token(['--role', 'admin', '--sub', 'root', '--secret', 'flag-secret', '--expires', '600', '--scope', 'clock stats']);
    expect(new TokenService('flag-secret').verify(fromFlag.stdout.trim())).toMatchObject({ role: 'admin', scopes: ['clock', 'stats'] });
  });

  it('explains every mistake at once and prints no token', () => {
    const { status, stdout, stderr } = token(['--role', 'handler', '--expires', 'soon']);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--sub: sub is required');
    expect(stderr).toContain('--department: role handler requires a department');
    expect(stderr).toContain('--expires: "soon" is not a lifetime');
    expect(stderr).toContain('usage: npm run token');
  });
});

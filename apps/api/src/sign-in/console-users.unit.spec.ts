import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ConsoleUsers, demoUsersFile, hashPassword, readUsersFile, usersSource, UsersFileError, verifyPassword, writeUsersFile } from './console-users';

const HASH = '$2b$04$' + 'a'.repeat(53);

describe('the console users file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-users-'));

  it('hashes passwords with bcrypt and never keeps them', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^\$2[aby]\$10\$/);
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('wrong horse', hash)).toBe(false);
  });

  it('refuses a file with every problem named', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        users: [
          { username: 'desk-1', role: 'agent', passwordHash: HASH },
          { username: 'h 1', role: 'handler', department: 'nowhere', passwordHash: 'plain-password' },
          { username: 'DESK-1', role: 'admin', passwordHash: HASH },
        ],
      }),
    );
    expect(() => readUsersFile(file)).toThrow(UsersFileError);
    const message = (() => {
      try {
        readUsersFile(file);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('users[0]: role agent requires a branch');
    expect(message).toContain('users[1]: username must be');
    expect(message).toContain('users[1]: passwordHash must be a bcrypt hash');
    expect(message).toContain('users[1]: department nowhere is not one of');
    expect(message).toContain('username DESK-1 appears more than once');
  });

  it('writes the file readable by its owner only', () => {
    const file = join(dir, 'users.json');
    writeUsersFile(file, { users: [{ username: 'desk-1', role: 'agent', branch: 'ZG', passwordHash: HASH }] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readUsersFile(file).users[0].username).toBe('desk-1');
  });

  it('uses the demo users only while USERS_FILE is missing, and never in production', () => {
    const missing = join(dir, 'missing.json');
    expect(usersSource(missing, false)).toEqual({ kind: 'demo', file: demoUsersFile() });
    expect(usersSource(missing, true).kind).toBe('none');
    const present = join(dir, 'present.json');
    writeUsersFile(present, { users: [] });
    expect(usersSource(present, true)).toEqual({ kind: 'file', file: present });
  });

  it('ships demo users that the server accepts', () => {
    const demo = demoUsersFile();
    expect(demo).toBeDefined();
    const roles = new Set(readUsersFile(demo!).users.map((u) => u.role));
    expect([...roles].sort()).toEqual(['accounts', 'admin', 'agent', 'analyst', 'callcenter', 'handler', 'supervisor']);
    expect(readFileSync(demo!, 'utf8')).not.toMatch(/"password"\s*:/);
  });

  it('finds users without regard to case, and sees a changed file', () => {
    const file = join(dir, 'live.json');
    writeUsersFile(file, { users: [{ username: 'Desk-1', role: 'agent', branch: 'ZG', passwordHash: HASH }] });
    const users = new ConsoleUsers(file, true);
    expect(users.find('desk-1')?.username).toBe('Desk-1');
    writeUsersFile(file, { users: [{ username: 'desk-2', role: 'admin', passwordHash: HASH, displayName: '管理员' }] });
    expect(users.find('desk-1')).toBeUndefined();
    expect(users.find('DESK-2')?.role).toBe('admin');
  });
});

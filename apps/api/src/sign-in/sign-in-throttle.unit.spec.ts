import { SignInThrottle } from './sign-in-throttle';

describe('SignInThrottle', () => {
  let now = 0;
  const throttle = () => new SignInThrottle({ maxFailures: 3, windowMs: 60_000, lockMs: 30_000 }, () => now);

  beforeEach(() => (now = 1_000_000));

  it('locks a username after too many wrong passwords, for a while', () => {
    const t = throttle();
    t.failed('desk-1');
    t.failed('DESK-1');
    expect(t.retryAfterSeconds('desk-1')).toBe(0);
    t.failed('desk-1');
    expect(t.retryAfterSeconds('desk-1')).toBe(30);
    expect(t.retryAfterSeconds('desk-2')).toBe(0);
    now += 30_001;
    expect(t.retryAfterSeconds('desk-1')).toBe(0);
  });

  it('forgets failures older than the window and after a success', () => {
    const t = throttle();
    t.failed('desk-1');
    t.failed('desk-1');
    now += 60_001;
    t.failed('desk-1');
    expect(t.retryAfterSeconds('desk-1')).toBe(0);
    t.failed('desk-1');
    t.succeeded('desk-1');
    t.failed('desk-1');
    expect(t.retryAfterSeconds('desk-1')).toBe(0);
  });
});

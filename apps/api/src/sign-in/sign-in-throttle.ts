/**
 * Slows password guessing: after `maxFailures` wrong passwords for one
 * username within `windowMs`, that username is refused for `lockMs` (the
 * right password too), then counting starts again. Kept in memory: a
 * restart forgets it, which only gives a guesser a few more tries.
 */
export class SignInThrottle {
  private readonly failures = new Map<string, { count: number; since: number; lockedUntil?: number }>();

  constructor(
    private readonly options: { maxFailures: number; windowMs: number; lockMs: number } = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 5 * 60_000 },
    private readonly now: () => number = Date.now,
  ) {}

  /** seconds until the username may try again; 0: now */
  retryAfterSeconds(username: string): number {
    const entry = this.failures.get(username.toLowerCase());
    if (!entry?.lockedUntil) return 0;
    const left = entry.lockedUntil - this.now();
    if (left > 0) return Math.ceil(left / 1000);
    this.failures.delete(username.toLowerCase());
    return 0;
  }

  failed(username: string): void {
    const key = username.toLowerCase();
    const at = this.now();
    let entry = this.failures.get(key);
    if (!entry || at - entry.since > this.options.windowMs) entry = { count: 0, since: at };
    entry.count += 1;
    if (entry.count >= this.options.maxFailures) entry.lockedUntil = at + this.options.lockMs;
    this.failures.set(key, entry);
    // bounded: a flood of made-up usernames must not grow it without end
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value as string);
  }

  succeeded(username: string): void {
    this.failures.delete(username.toLowerCase());
  }
}

import { readFileSync } from 'node:fs';
import { BUILT_IN_POLICIES, InvalidPolicyBook, PoliciesInForce, readPolicyBook } from '@complaints/domain';
import { ConfigProblem } from './invalid-config.error';

/**
 * Typed reads of environment variables that record problems instead of
 * throwing, so that `loadConfig` can report all of them together. A read that
 * fails returns its fallback; the config built from it is discarded anyway.
 *
 * A variable that is empty or only blanks counts as unset: `PORT=` in an env
 * file or a compose file means "not given", not "port zero".
 */
export class EnvReader {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly problems: ConfigProblem[],
  ) {}

  nonEmpty(name: string, fallback: string): string {
    return this.raw(name)?.trim() ?? fallback;
  }

  port(name: string, fallback: number): number {
    const value = this.raw(name)?.trim();
    if (value === undefined) return fallback;
    const port = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(port) || port > 65535) {
      return this.refuse(name, `${quote(value)} is not a port number`, 'an integer from 0 to 65535', fallback);
    }
    return port;
  }

  oneOf<const T extends string>(
    name: string,
    allowed: readonly T[],
    fallback: T,
    options: { ignoreCase?: boolean } = {},
  ): T {
    const value = this.raw(name)?.trim();
    if (value === undefined) return fallback;
    const match = allowed.find((a) => (options.ignoreCase ? a.toLowerCase() === value.toLowerCase() : a === value));
    if (match === undefined) {
      return this.refuse(name, `${quote(value)} is not allowed`, `one of ${allowed.join(', ')}`, fallback);
    }
    return match;
  }

  /** '1' on, '0' or unset off; anything else is refused rather than guessed. */
  flag(name: string, options: { refusedWhen?: string; fallback?: boolean } = {}): boolean {
    const value = this.raw(name)?.trim();
    if (value === undefined) return options.fallback ?? false;
    if (value === '0') return false;
    if (value !== '1') return this.refuse(name, `${quote(value)} is not a flag`, '1 (on) or 0 (off)', false);
    if (options.refusedWhen) {
      return this.refuse(name, `is on but ${options.refusedWhen}`, `it unset (or 0) when ${options.refusedWhen}`, false);
    }
    return true;
  }

  /** The value is never echoed: it is a secret. */
  jwtSecret(name: string, rules: { fallback: string; production: boolean; minLength: number }): string {
    const value = this.raw(name);
    const secret = value ?? rules.fallback;
    if (!rules.production) return secret;

    const expected = `a random secret of at least ${rules.minLength} characters when NODE_ENV=production`;
    if (value === undefined) return this.refuse(name, 'is not set (the public development secret would be used)', expected, secret);
    if (value === rules.fallback) return this.refuse(name, 'is the public development secret', expected, secret);
    if (value.length < rules.minLength) return this.refuse(name, `is only ${value.length} characters long`, expected, secret);
    return secret;
  }

  /** `host:port,host:port`; unset gives undefined (the integration is off). */
  hostPortList(name: string): readonly string[] | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const entries = value.split(',').map((e) => e.trim());
    const bad = entries.filter((e) => !isHostPort(e));
    if (bad.length > 0) {
      const listed = bad.map((e) => (e === '' ? 'an empty entry' : quote(e))).join(', ');
      return this.refuse(name, `${listed} ${bad.length === 1 ? 'is' : 'are'} not host:port`, 'a comma-separated list of host:port, e.g. kafka-1:9092,kafka-2:9092', undefined);
    }
    return entries;
  }

  /** A value matching `pattern` (e.g. a Kafka topic prefix); unset gives the fallback. */
  matching(name: string, pattern: RegExp, fallback: string, expected: string): string {
    const value = this.raw(name)?.trim();
    if (value === undefined) return fallback;
    if (!pattern.test(value)) return this.refuse(name, `${quote(value)} is not allowed`, expected, fallback);
    return value;
  }

  /** The value is never echoed: connection URLs carry passwords. */
  url(name: string, schemes: readonly string[]): string | undefined {
    const value = this.raw(name)?.trim();
    if (value === undefined) return undefined;
    const expected = `a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}`;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return this.refuse(name, 'is not a valid URL', expected, undefined);
    }
    if (!schemes.includes(url.protocol)) return this.refuse(name, `has the scheme ${url.protocol}//`, expected, undefined);
    if (url.hostname === '') return this.refuse(name, 'names no host', expected, undefined);
    return value;
  }

  /** a policy file (see readPolicyBook): one problem per bad field of it; unset, the built-in policies */
  policies(name: string, example: string): PoliciesInForce {
    const file = this.raw(name)?.trim();
    if (file === undefined) return BUILT_IN_POLICIES;
    const expected = `a policy file as ${example}`;
    let input: unknown;
    try {
      input = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : error instanceof SyntaxError ? `is not JSON (${error.message})` : `cannot be read (${(error as Error).message})`;
      return this.refuse(name, `${file} ${why}`, expected, BUILT_IN_POLICIES);
    }
    try {
      return readPolicyBook(input);
    } catch (error) {
      if (!(error instanceof InvalidPolicyBook)) throw error;
      for (const problem of error.problems) this.problems.push({ variable: name, problem: `${file}: ${problem}`, expected });
      return BUILT_IN_POLICIES;
    }
  }

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  }

  private refuse<T>(variable: string, problem: string, expected: string, fallback: T): T {
    this.problems.push({ variable, problem, expected });
    return fallback;
  }
}

const HOST_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

function isHostPort(entry: string): boolean {
  const match = HOST_PORT.exec(entry);
  if (!match) return false;
  const port = Number(match[1]);
  return port >= 1 && port <= 65535;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

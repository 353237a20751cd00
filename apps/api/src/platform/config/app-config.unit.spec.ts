import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_IN_POLICIES, DEFAULT_POLICY } from '@complaints/domain';
import { configWarnings, departmentsInForce, DEVELOPMENT_JWT_SECRET, loadConfig, loadPolicies } from './app-config';
import { InvalidConfigError } from './invalid-config.error';

const PRODUCTION_SECRET = 'x'.repeat(32);
const EXAMPLE_POLICIES = join(__dirname, '../../../../../config/policies.example.json');

function problemsOf(env: NodeJS.ProcessEnv): Record<string, string> {
  try {
    loadConfig(env);
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    return Object.fromEntries(error.problems.map((p) => [p.variable, `${p.problem}; expected ${p.expected}`]));
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '0.0.0.0',
      dataDir: './data',
      usersFile: 'data/users.json',
      jwtSecret: DEVELOPMENT_JWT_SECRET,
      nodeEnv: 'development',
      logLevel: 'info',
      sqliteSynchronous: 'FULL',
      testClock: false,
      // the test runs the TypeScript sources: the worker would run dist/, which may be older
      projectionsWorker: false,
      kafkaBrokers: undefined,
      kafkaTopicPrefix: '',
      kafkaGroupId: 'complaints-callcenter',
      databaseUrl: undefined,
      eventStoreUrl: undefined,
      policies: BUILT_IN_POLICIES,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATA_DIR: '/var/lib/complaints',
      USERS_FILE: '/etc/complaints/users.json',
      JWT_SECRET: PRODUCTION_SECRET,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      SQLITE_SYNCHRONOUS: 'normal',
      PROJECTIONS_WORKER: '1',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9093',
      KAFKA_TOPIC_PREFIX: 'staging.',
      KAFKA_GROUP_ID: 'complaints-staging',
      DATABASE_URL: 'postgres://app:pw@db:5432/complaints',
      EVENTSTORE_URL: 'kurrentdb://esdb:2113?tls=false',
      POLICY_FILE: EXAMPLE_POLICIES,
    });
    const { policies, ...rest } = config;
    expect(policies.current).toMatchObject({ version: '2027.1', workOrderReplyMinutes: 45 });
    expect(Object.keys(policies.book)).toEqual(['2026.1', '2027.1']);
    expect(rest).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/var/lib/complaints',
      usersFile: '/etc/complaints/users.json',
      jwtSecret: PRODUCTION_SECRET,
      nodeEnv: 'production',
      logLevel: 'warn',
      sqliteSynchronous: 'NORMAL',
      testClock: false,
      projectionsWorker: true,
      kafkaBrokers: ['kafka-1:9092', 'kafka-2:9093'],
      kafkaTopicPrefix: 'staging.',
      kafkaGroupId: 'complaints-staging',
      databaseUrl: 'postgres://app:pw@db:5432/complaints',
      eventStoreUrl: 'kurrentdb://esdb:2113?tls=false',
    });
  });

  describe('POLICY_FILE', () => {
    let dir: string;
    beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'policies-'))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };

    it('names every bad field of the file, and a file that is missing or not JSON', () => {
      const bad = write('bad.json', JSON.stringify({ current: '2027.1', versions: [{ version: '2027.1', extends: '2026.1', workOrderReplyMinutes: 0, appealRiskDays: 'soon' }] }));
      expect(() => loadConfig({ POLICY_FILE: bad })).toThrow(
        new InvalidConfigError([
          { variable: 'POLICY_FILE', problem: `${bad}: versions[0].workOrderReplyMinutes: must be a whole number of at least 1`, expected: 'a policy file as config/policies.example.json' },
          { variable: 'POLICY_FILE', problem: `${bad}: versions[0].appealRiskDays: must be a whole number of at least 1`, expected: 'a policy file as config/policies.example.json' },
        ]),
      );
      expect(problemsOf({ POLICY_FILE: join(dir, 'nowhere.json') }).POLICY_FILE).toBe(`${join(dir, 'nowhere.json')} does not exist; expected a policy file as config/policies.example.json`);
      expect(problemsOf({ POLICY_FILE: write('broken.json', '{"current":') }).POLICY_FILE).toMatch(/broken\.json is not JSON \(/);
    });

    it('the departments of every version in force may have handlers', () => {
      expect(departmentsInForce(loadPolicies({ POLICY_FILE: EXAMPLE_POLICIES }))).toEqual([...Object.keys(DEFAULT_POLICY.departments), 'roaming']);
      expect(loadPolicies({})).toBe(BUILT_IN_POLICIES);
    });
  });

  it('keeps the console users under DATA_DIR unless USERS_FILE names a file', () => {
    expect(loadConfig({ DATA_DIR: '/srv/complaints' }).usersFile).toBe('/srv/complaints/users.json');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '  ', KAFKA_BROKERS: '' })).toMatchObject({ port: 3000, logLevel: 'info', kafkaBrokers: undefined });
  });

  it('refuses a Kafka topic prefix or group id that Kafka would refuse', () => {
    expect(() => loadConfig({ KAFKA_TOPIC_PREFIX: 'a b', KAFKA_GROUP_ID: 'x/y' })).toThrow(/KAFKA_TOPIC_PREFIX[\s\S]*KAFKA_GROUP_ID/);
  });

  it('accepts port 0 (an ephemeral port, for tests)', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it('enables the test clock with 1 outside production', () => {
    expect(loadConfig({ COMPLAINTS_TEST_CLOCK: '1', NODE_ENV: 'test' }).testClock).toBe(true);
    expect(loadConfig({ COMPLAINTS_TEST_CLOCK: '0' }).testClock).toBe(false);
  });

  it('lists every bad variable in one error, with what is expected', () => {
    const problems = problemsOf({
      PORT: '70000',
      NODE_ENV: 'prod',
      LOG_LEVEL: 'verbose',
      SQLITE_SYNCHRONOUS: 'OFF',
      COMPLAINTS_TEST_CLOCK: 'yes',
      KAFKA_BROKERS: 'kafka-1:9092,kafka-2,,:9092',
      DATABASE_URL: 'mysql://db/complaints',
      EVENTSTORE_URL: 'not a url',
    });
    expect(problems).toEqual({
      PORT: '"70000" is not a port number; expected an integer from 0 to 65535',
      NODE_ENV: '"prod" is not allowed; expected one of development, test, production',
      LOG_LEVEL: '"verbose" is not allowed; expected one of fatal, error, warn, info, debug, trace, silent',
      SQLITE_SYNCHRONOUS: '"OFF" is not allowed; expected one of FULL, NORMAL',
      COMPLAINTS_TEST_CLOCK: '"yes" is not a flag; expected 1 (on) or 0 (off)',
      KAFKA_BROKERS:
        '"kafka-2", an empty entry, ":9092" are not host:port; expected a comma-separated list of host:port, e.g. kafka-1:9092,kafka-2:9092',
      DATABASE_URL: 'has the scheme mysql://; expected a URL starting with postgres:// or postgresql://',
      EVENTSTORE_URL:
        'is not a valid URL; expected a URL starting with esdb:// or esdb+discover:// or kurrentdb:// or kurrentdb+discover://',
    });
  });

  it('formats the error as one line per problem', () => {
    expect(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' })).toThrow(
      'Invalid configuration (2 problems):\n' +
        '  - PORT: "abc" is not a port number; expected an integer from 0 to 65535\n' +
        '  - LOG_LEVEL: "loud" is not allowed; expected one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('never echoes secrets or connection URLs', () => {
    try {
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'hunter2', DATABASE_URL: 'http://user:hunter2@db' });
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  describe('in production', () => {
    it('refuses to run without a JWT secret', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toEqual({
        JWT_SECRET:
          'is not set (the public development secret would be used); expected a random secret of at least 32 characters when NODE_ENV=production',
      });
    });

    it('refuses the development secret', () => {
      expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET }).JWT_SECRET).toMatch(
        /^is the public development secret/,
      );
    });

    it('refuses a secret shorter than 32 characters', () => {
      expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) }).JWT_SECRET).toMatch(/^is only 31 characters long/);
    });

    it('refuses the test clock', () => {
      expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: PRODUCTION_SECRET, COMPLAINTS_TEST_CLOCK: '1' })).toEqual({
        COMPLAINTS_TEST_CLOCK: 'is on but NODE_ENV=production; expected it unset (or 0) when NODE_ENV=production',
      });
    });
  });
});

describe('configWarnings', () => {
  it('warns about the development secret', () => {
    expect(configWarnings(loadConfig({}))).toEqual([expect.stringContaining('JWT_SECRET is not set')]);
  });

  it('is quiet for a configured secret', () => {
    expect(configWarnings(loadConfig({ JWT_SECRET: 'a-secret' }))).toEqual([]);
  });
});

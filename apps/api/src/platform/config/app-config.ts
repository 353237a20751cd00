import * as path from 'path';
import { PoliciesInForce } from '@complaints/domain';
import { InvalidConfigError, ConfigProblem } from './invalid-config.error';
import { EnvReader } from './env-reader';

/**
 * The secret used when JWT_SECRET is unset, so `npm start` and `npm run token`
 * work out of the box on a developer's machine. It is public (it is in the
 * repository), so the server warns whenever it is in use and refuses it when
 * NODE_ENV=production.
 */
export const DEVELOPMENT_JWT_SECRET = 'complaints-development-secret-do-not-use-in-production';

/** HS256 keys shorter than the hash output (32 bytes) weaken the signature. */
export const MIN_PRODUCTION_SECRET_LENGTH = 32;

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SQLITE_SYNCHRONOUS_MODES = ['FULL', 'NORMAL'] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_MODES)[number];

/** what Kafka allows in a topic name (and what we allow in a group id) */
const KAFKA_NAME = /^[A-Za-z0-9._-]{1,100}$/;

const POLICY_FILE_EXAMPLE = 'config/policies.example.json';

/** this file is dist/…/app-config.js, not the TypeScript source */
const RUNNING_COMPILED = __filename.endsWith('.js');

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /**
   * USERS_FILE: the console's users (JSON, bcrypt password hashes; `npm run
   * users`). Default DATA_DIR/users.json; while it does not exist, outside
   * production, the demo users of config/demo-users.json sign in.
   */
  readonly usersFile: string;
  readonly jwtSecret: string;
  readonly nodeEnv: NodeEnv;
  readonly logLevel: LogLevel;
  readonly sqliteSynchronous: SqliteSynchronous;
  /** COMPLAINTS_TEST_CLOCK=1: the clock can be moved through `POST /api/test/clock` */
  readonly testClock: boolean;
  /**
   * PROJECTIONS_WORKER: 1 runs the projections in a worker thread, so that
   * keeping the read models never takes the command path's CPU; 0 runs them
   * in the main thread. Default 1 when the server runs compiled (`npm start`),
   * 0 when it runs from the TypeScript sources (ts-node, jest), because the
   * worker always runs the compiled code of dist/, which may be older.
   */
  readonly projectionsWorker: boolean;
  /** KAFKA_BROKERS: set, the 10086 integration runs (the consumer and the outbound relay); unset, the server runs without Kafka */
  readonly kafkaBrokers?: readonly string[];
  /** KAFKA_TOPIC_PREFIX: put before every topic name of API.md (one cluster shared by environments, or a test run); default none */
  readonly kafkaTopicPrefix: string;
  /** KAFKA_GROUP_ID: the consumer group of the 10086 consumer */
  readonly kafkaGroupId: string;
  /**
   * DATABASE_URL: the event log (unless EVENTSTORE_URL), the idempotency
   * keys, the read models and the leases in PostgreSQL, shared by every
   * instance; unset, SQLite files under DATA_DIR (one instance)
   */
  readonly databaseUrl?: string;
  /** EVENTSTORE_URL: the event log in EventStoreDB / KurrentDB (the rest as DATABASE_URL says) */
  readonly eventStoreUrl?: string;
  /**
   * POLICY_FILE: the versioned policies (routing, time limits, the
   * escalation ladder; format config/policies.example.json), and the one new
   * complaints are registered under; unset, the built-in policy of DOMAIN.md
   */
  readonly policies: PoliciesInForce;
}

/**
 * Reads and validates the whole configuration at once. Every bad variable is
 * collected before throwing, so an operator fixes a deployment in one round
 * instead of one restart per mistake.
 *
 * @throws {InvalidConfigError} listing every offending variable
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: ConfigProblem[] = [];
  const read = new EnvReader(env, problems);

  // NODE_ENV is strict: a typo such as "prod" must not silently switch off the
  // production safety checks below.
  const nodeEnv = read.oneOf('NODE_ENV', NODE_ENVS, 'development');
  const production = nodeEnv === 'production';
  const dataDir = read.nonEmpty('DATA_DIR', './data');

  const config: AppConfig = {
    port: read.port('PORT', 3000),
    host: read.nonEmpty('HOST', '0.0.0.0'),
    dataDir,
    usersFile: read.nonEmpty('USERS_FILE', path.join(dataDir, 'users.json')),
    jwtSecret: read.jwtSecret('JWT_SECRET', {
      fallback: DEVELOPMENT_JWT_SECRET,
      production,
      minLength: MIN_PRODUCTION_SECRET_LENGTH,
    }),
    nodeEnv,
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    sqliteSynchronous: read.oneOf('SQLITE_SYNCHRONOUS', SQLITE_SYNCHRONOUS_MODES, 'FULL', { ignoreCase: true }),
    testClock: read.flag('COMPLAINTS_TEST_CLOCK', { refusedWhen: production ? 'NODE_ENV=production' : undefined }),
    projectionsWorker: read.flag('PROJECTIONS_WORKER', { fallback: RUNNING_COMPILED }),
    kafkaBrokers: read.hostPortList('KAFKA_BROKERS'),
    kafkaTopicPrefix: read.matching('KAFKA_TOPIC_PREFIX', KAFKA_NAME, '', 'letters, digits, ".", "_" or "-", at most 100'),
    kafkaGroupId: read.matching('KAFKA_GROUP_ID', KAFKA_NAME, 'complaints-callcenter', 'letters, digits, ".", "_" or "-", at most 100'),
    databaseUrl: read.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    eventStoreUrl: read.url('EVENTSTORE_URL', ['esdb:', 'esdb+discover:', 'kurrentdb:', 'kurrentdb+discover:']),
    policies: read.policies('POLICY_FILE', POLICY_FILE_EXAMPLE),
  };

  if (problems.length > 0) throw new InvalidConfigError(problems);
  return config;
}

/** POLICY_FILE alone, for the tools that need the policies but not the rest of the configuration. */
export function loadPolicies(env: NodeJS.ProcessEnv = process.env): PoliciesInForce {
  const problems: ConfigProblem[] = [];
  const policies = new EnvReader(env, problems).policies('POLICY_FILE', POLICY_FILE_EXAMPLE);
  if (problems.length > 0) throw new InvalidConfigError(problems);
  return policies;
}

/** Every department of every policy version in force. */
export function departmentsInForce(policies: PoliciesInForce): string[] {
  return [...new Set(Object.values(policies.book).flatMap((policy) => Object.keys(policy.departments)))];
}

/** What an operator should hear about at start-up although the configuration is accepted. */
export function configWarnings(config: AppConfig): string[] {
  const warnings: string[] = [];
  if (config.jwtSecret === DEVELOPMENT_JWT_SECRET) {
    warnings.push(
      'JWT_SECRET is not set: tokens are signed and checked with the public development secret. ' +
        'Anyone can forge a token; set JWT_SECRET before exposing this server.',
    );
  }
  if (config.testClock) {
    warnings.push('COMPLAINTS_TEST_CLOCK=1: an admin can move the server clock through POST /api/test/clock.');
  }
  return warnings;
}

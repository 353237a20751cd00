import { Inject, Module, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { join } from 'path';
import type { Logger } from 'pino';
import { chooseStores, EVENT_STORE_SCHEMA } from '../infrastructure/store-choice';
import { AuthModule } from '../platform/auth/auth.module';
import { TokenService } from '../platform/auth/token.service';
import { APP_CONFIG, AppConfig, departmentsInForce } from '../platform/config';
import { ROOT_LOGGER } from '../platform/observability/logger.token';
import { ConsoleUsers } from './console-users';
import { SessionHttpController } from './session.http.controller';
import { SignInThrottle } from './sign-in-throttle';
import { PostgresSignedOutTokens, SIGNED_OUT_TOKENS, SignedOutTokens, SqliteSignedOutTokens } from './signed-out-tokens';

/** The console's sign-in: users from USERS_FILE (or the demo users), tokens from the API's TokenService. */
@Module({
  imports: [AuthModule],
  controllers: [SessionHttpController],
  providers: [
    { provide: ConsoleUsers, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new ConsoleUsers(config.usersFile, config.nodeEnv === 'production', departmentsInForce(config.policies)) },
    { provide: SignInThrottle, useFactory: () => new SignInThrottle() },
    {
      // beside the idempotency keys: SQLite files under DATA_DIR, or PostgreSQL with DATABASE_URL
      provide: SIGNED_OUT_TOKENS,
      inject: [APP_CONFIG, ROOT_LOGGER],
      useFactory: (config: AppConfig, logger: Logger): Promise<SignedOutTokens> =>
        chooseStores(config).idempotency === 'postgres'
          ? PostgresSignedOutTokens.open({
              connectionString: config.databaseUrl!,
              schema: EVENT_STORE_SCHEMA,
              onError: (error) => logger.warn({ err: error }, 'signed-out sessions: a PostgreSQL connection failed (it is replaced)'),
            })
          : SqliteSignedOutTokens.open(join(config.dataDir, 'sessions.sqlite')),
    },
  ],
})
export class SignInModule implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly users: ConsoleUsers,
    private readonly tokens: TokenService,
    @Inject(SIGNED_OUT_TOKENS) private readonly signedOut: SignedOutTokens,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** every token check, on every route, refuses a signed-out session */
  onModuleInit(): void {
    this.tokens.useSignedOutTokens(this.signedOut);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.signedOut.close();
  }

  /** says at start-up who can sign in, and refuses to start on a users file that is there but broken */
  onApplicationBootstrap(): void {
    const source = this.users.source();
    if (source.kind === 'demo') {
      this.logger.warn(`console sign-in: the demo users of ${source.file} (README); add your own with npm run users -- add <name> --role … (they go to USERS_FILE, which then replaces the demo users)`);
    } else if (source.kind === 'none') {
      this.logger.warn(`console sign-in: nobody can sign in: ${source.reason}`);
    }
    if (source.kind !== 'none') this.users.find('');
  }
}

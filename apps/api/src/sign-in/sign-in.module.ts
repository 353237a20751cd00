import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuthModule } from '../platform/auth/auth.module';
import { APP_CONFIG, AppConfig } from '../platform/config';
import { ROOT_LOGGER } from '../platform/observability/logger.token';
import { ConsoleUsers } from './console-users';
import { SessionHttpController } from './session.http.controller';
import { SignInThrottle } from './sign-in-throttle';

/** The console's sign-in: users from USERS_FILE (or the demo users), tokens from the API's TokenService. */
@Module({
  imports: [AuthModule],
  controllers: [SessionHttpController],
  providers: [
    { provide: ConsoleUsers, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new ConsoleUsers(config.usersFile, config.nodeEnv === 'production') },
    { provide: SignInThrottle, useFactory: () => new SignInThrottle() },
  ],
})
export class SignInModule implements OnApplicationBootstrap {
  constructor(
    private readonly users: ConsoleUsers,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

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

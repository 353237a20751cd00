import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { bearerToken, CurrentPrincipal, Principal, Public, TokenService } from '../platform/auth';
import { ProblemException, Unauthenticated } from '../platform/http';
import { ROOT_LOGGER } from '../platform/observability/logger.token';
import { ConsoleUsers, verifyPassword } from './console-users';
import { SIGNED_OUT_TOKENS, SignedOutTokens } from './signed-out-tokens';
import { SignInThrottle } from './sign-in-throttle';
import { SignInRequest } from './sign-in.request.dto';

/** How long a console session lasts: a shift and its handover. */
export const SESSION_SECONDS = 12 * 3600;

/**
 * Compared against when the username is unknown, so an unknown user costs
 * the same time as a wrong password and the answer tells nothing apart.
 */
const UNKNOWN_USER_HASH = '$2b$10$BtNcmhFiLDZMyJiPZinVV.yoGMbXNknpaGg5I5Yn8YBZF4Nxq.otC';

@ApiTags('session')
@Controller('api/session')
export class SessionHttpController {
  constructor(
    private readonly users: ConsoleUsers,
    private readonly tokens: TokenService,
    private readonly throttle: SignInThrottle,
    @Inject(SIGNED_OUT_TOKENS) private readonly signedOut: SignedOutTokens,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: "Sign in to the console with a username and password; answers the same bearer token as `npm run token`, for the user's role and scope" })
  @ApiOkResponse({ description: '`{ token, tokenType, expiresAt, user: { username, role, branch?, department?, displayName? } }`' })
  @ApiUnauthorizedResponse({ description: 'The username or password is wrong (not told apart).' })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong passwords for this username; `Retry-After` says when to try again.' })
  async signIn(@Body() body: SignInRequest) {
    const wait = this.throttle.retryAfterSeconds(body.username);
    if (wait > 0) {
      throw new ProblemException({
        status: 429,
        code: 'sign_in.throttled',
        detail: `too many wrong passwords for ${body.username}; try again in ${wait} s`,
        headers: { 'Retry-After': String(wait) },
      });
    }
    const user = this.users.find(body.username);
    const matches = await verifyPassword(body.password, user?.passwordHash ?? UNKNOWN_USER_HASH);
    if (!user || !matches) {
      this.throttle.failed(body.username);
      throw new Unauthenticated('the username or password is wrong');
    }
    this.throttle.succeeded(body.username);
    const principal = { sub: user.username, role: user.role, branch: user.branch, department: user.department };
    const token = this.tokens.sign(principal, { expiresIn: SESSION_SECONDS });
    const expiresAt = new Date(Date.now() + SESSION_SECONDS * 1000).toISOString();
    this.logger.info({ user: user.username, role: user.role }, `${user.username} signed in to the console`);
    return {
      token,
      tokenType: 'Bearer',
      expiresAt,
      user: { username: user.username, role: user.role, branch: user.branch, department: user.department, displayName: user.displayName },
    };
  }

  @Get()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who the bearer token is for' })
  @ApiOkResponse({ description: '`{ user: { username, role, branch?, department?, displayName? } }`' })
  whoAmI(@CurrentPrincipal() principal: Principal) {
    let displayName: string | undefined;
    try {
      displayName = this.users.find(principal.sub)?.displayName;
    } catch {
      // a broken users file does not make the token less valid
    }
    return { user: { username: principal.sub, role: principal.role, branch: principal.branch, department: principal.department, displayName } };
  }

  @Delete()
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Sign out: the bearer token of this request stops working at once, on every instance within 2 s, and stays refused after a restart (until it would have expired anyway)',
  })
  @ApiNoContentResponse({ description: 'Signed out (again, if it already was: a repeat is harmless)' })
  async signOut(@CurrentPrincipal() principal: Principal, @Headers('authorization') authorization: string) {
    // the guard has verified this header's token already
    const { digest, expiresAt } = this.tokens.session(bearerToken(authorization));
    await this.signedOut.add(digest, expiresAt);
    this.logger.info({ user: principal.sub }, `${principal.sub} signed out`);
  }
}

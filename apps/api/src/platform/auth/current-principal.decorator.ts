import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import './authenticated-request';
import { Principal } from './principal';

/**
 * The verified caller of the route: `@CurrentPrincipal() principal: Principal`.
 * Only meaningful on routes the guard protects; on a @Public() route it is a
 * programming error, reported as such rather than as a missing token.
 */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
  if (!principal) throw new Error('@CurrentPrincipal() used on a route without authentication (is it @Public()?)');
  return principal;
});

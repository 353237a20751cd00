import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Forbidden, Unauthenticated } from '../http/problem.exception';
import './authenticated-request';
import { Role } from './role';
import { RouteMetadata } from './route-metadata';
import { ROLES_KEY } from './roles.decorator';

/**
 * Global guard, after JwtAuthGuard: enforces @Roles(...). Routes without
 * @Roles are open to every authenticated role; scoping by branch or
 * department is the use case's business (it knows the resource).
 */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly roles: RouteMetadata<readonly Role[]>;

  constructor(reflector: Reflector) {
    this.roles = new RouteMetadata(reflector, ROLES_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const allowed = this.roles.of(context);
    if (!allowed) return true;

    const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
    // Only reachable on a @Public() route that also has @Roles: fail closed.
    if (!principal) throw new Unauthenticated('this request needs an Authorization: Bearer <token> header');
    if (!allowed.includes(principal.role)) {
      throw new Forbidden(`the role ${principal.role} may not do this; allowed: ${allowed.join(', ')}`, 'role_not_allowed');
    }
    return true;
  }
}

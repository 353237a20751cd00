import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Unauthenticated } from '../http/problem.exception';
import './authenticated-request';
import { IS_PUBLIC } from './public.decorator';
import { RouteMetadata } from './route-metadata';
import { InvalidToken, TokenService } from './token.service';

/**
 * Global guard: every route needs a valid bearer token unless it is
 * @Public(). Deny by default, so a forgotten decorator fails closed. The
 * verified principal is put on the request for RolesGuard and
 * @CurrentPrincipal().
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly isPublic: RouteMetadata<boolean>;

  constructor(
    reflector: Reflector,
    private readonly tokens: TokenService,
  ) {
    this.isPublic = new RouteMetadata(reflector, IS_PUBLIC);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    if (this.isPublic.of(context)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request.headers.authorization);
    try {
      request.principal = this.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidToken) throw new Unauthenticated(error.message);
      throw error;
    }
    return true;
  }
}

/** the token of an `Authorization: Bearer <token>` header; Unauthenticated when there is none */
export function bearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new Unauthenticated('this request needs an Authorization: Bearer <token> header');
  }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match) throw new Unauthenticated('the Authorization header must be: Bearer <token>');
  return match[1];
}

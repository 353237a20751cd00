import { Principal } from './principal';

declare module 'fastify' {
  interface FastifyRequest {
    /** set by JwtAuthGuard on every route that is not @Public() */
    principal?: Principal;
  }
}

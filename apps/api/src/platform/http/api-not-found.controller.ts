import { All, Controller, NotFoundException, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

/**
 * Answers every `/api/...` path no other controller claims. Nest's built-in
 * not-found handler runs without guards, which would tell an anonymous caller
 * which routes exist (404 here, 401 there); routed through a controller, an
 * unknown path is authenticated like any other: 401 without a token, 404 with.
 * Fastify's router prefers static and parametric routes over this wildcard.
 */
@ApiExcludeController()
@Controller('api')
export class ApiNotFoundController {
  @All('*')
  notFound(@Req() request: FastifyRequest): never {
    throw new NotFoundException(`Cannot ${request.method} ${request.url.split('?', 1)[0]}`);
  }
}

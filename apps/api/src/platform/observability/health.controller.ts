import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator';
import { HealthRegistry, HealthReport } from './health-registry';

const HEALTH_REPORT_SCHEMA = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'down'] },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['status'],
        properties: { status: { type: 'string', enum: ['ok', 'degraded', 'down'] }, detail: { type: 'string' } },
      },
    },
  },
};

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthRegistry) {}

  /** Liveness and readiness in one: 503 only when a critical dependency is down. */
  @Public()
  @Get()
  @ApiOkResponse({ description: 'ok or degraded', schema: HEALTH_REPORT_SCHEMA })
  @ApiServiceUnavailableResponse({ description: 'down', schema: HEALTH_REPORT_SCHEMA })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    const report = await this.health.check();
    reply.status(report.status === 'down' ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK).header('cache-control', 'no-store');
    return report;
  }
}

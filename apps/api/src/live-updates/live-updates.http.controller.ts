import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LiveUpdates } from './live-updates.service';

@ApiTags('console')
@ApiBearerAuth()
@Controller('api/events')
export class LiveUpdatesHttpController {
  constructor(private readonly live: LiveUpdates) {}

  @Get('stream')
  @ApiOperation({
    summary:
      'Server-sent events: `event: position` with `{"position": n}` each time the read models have applied new events (any complaint), so a console refetches what it shows; a comment every 20 s keeps it open',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'A stream that stays open' })
  async stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    reply.hijack();
    reply.raw.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx and the like would otherwise hold the messages back
      'X-Accel-Buffering': 'no',
    });
    reply.raw.write('retry: 3000\n\n');
    request.raw.on('close', () => this.live.remove(reply.raw));
    await this.live.add(reply.raw);
  }
}

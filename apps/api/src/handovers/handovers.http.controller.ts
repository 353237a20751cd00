import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../platform/auth';
import { commandIdentity, parseIfMatch } from '../complaints/http/complaint-commands.service';
import { handoversTo, heldBy } from '@complaints/read-models/queries';
import { ReadModelsReader } from '../queries/read-models.reader';
import { HandOverRequest } from './hand-over.request.dto';
import { Handovers } from './handovers.service';

@ApiTags('handovers')
@ApiBearerAuth()
@ApiConflictResponse({ description: 'Not allowed in the current state; `detail` says why.' })
@Controller('api/handovers')
export class HandoversHttpController {
  constructor(
    private readonly handovers: Handovers,
    private readonly readModels: ReadModelsReader,
  ) {}

  @Post()
  @Roles('agent', 'callcenter', 'supervisor')
  @ApiOperation({ summary: 'Hand the open complaints and work orders one holds to the incoming agent (交接班)' })
  @ApiCreatedResponse({ description: 'The handover with the open items handed over.' })
  async handOver(@Body() body: HandOverRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const identity = commandIdentity(principal, request);
    const handoverId = identity.newId('handover');
    const items = await heldBy(await this.readModels.fresh(), principal.sub);
    const handover = await this.handovers.run(principal, handoverId, identity, (now) => ({
      type: 'RecordHandover',
      data: { handoverId, toAgent: body.toAgent, branch: principal.branch ?? 'all', note: body.note, items },
      context: { now, actor: principal.sub },
    }));
    reply.header('ETag', `"${handover.revision}"`);
    reply.header('Location', `/api/handovers/${handoverId}`);
    return handover;
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Roles('agent', 'callcenter', 'supervisor')
  @ApiOperation({ summary: 'The receiving agent acknowledges the handover; the items are theirs from now on' })
  @ApiOkResponse({ description: 'The handover.' })
  async acknowledge(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest) {
    const identity = commandIdentity(principal, request);
    return this.handovers.run(
      principal,
      id,
      identity,
      (now) => ({ type: 'AcknowledgeHandover', data: { handoverId: id }, context: { now, actor: principal.sub } }),
      parseIfMatch(request.headers['if-match']),
    );
  }

  @Get()
  @Roles('agent', 'callcenter', 'supervisor')
  @ApiOperation({ summary: 'The handovers addressed to the caller, the ones waiting for their acknowledgement first, then the latest acknowledged' })
  @ApiOkResponse({ description: '`{ items: [handover] }`' })
  async addressedToMe(@CurrentPrincipal() principal: Principal) {
    const ids = await handoversTo(await this.readModels.fresh(), principal.sub, 50);
    const handovers = await Promise.all(ids.map((id) => this.handovers.read(principal, id).catch(() => undefined)));
    const found = handovers.filter((h) => h !== undefined);
    return { items: [...found.filter((h) => h.status === 'pending'), ...found.filter((h) => h.status !== 'pending').slice(0, 10)] };
  }

  @Get(':id')
  @Roles('agent', 'callcenter', 'supervisor', 'admin')
  @ApiOperation({ summary: 'A handover' })
  @ApiOkResponse({ description: 'The handover.' })
  read(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.handovers.read(principal, id);
  }
}

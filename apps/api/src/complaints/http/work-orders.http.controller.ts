import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal } from '../../platform/auth';
import { ResourceNotFound } from '../../platform/http';
import { parentComplaintId } from '../complaint-ids';
import { workOrderView } from '../complaint.representation';
import { ComplaintCommandResult } from '../run-complaint-command';
import { ForwardWorkOrderRequest, ReplyToWorkOrderRequest, ReturnWorkOrderRequest } from '../dto/work-order-commands.request.dto';
import { ComplaintCommands } from './complaint-commands.service';

/** The complaint a work-order id belongs to, or 404. */
export function complaintOfWorkOrder(id: string): string {
  const complaintId = parentComplaintId(id, 'w');
  if (!complaintId) throw new ResourceNotFound(`work order ${id} does not exist`);
  return complaintId;
}

function respond(id: string, result: ComplaintCommandResult, reply: FastifyReply) {
  const order = result.complaint.workOrders.find((w) => w.id === id);
  if (!order) throw new ResourceNotFound(`work order ${id} does not exist`);
  reply.header('ETag', `"${result.revision}"`);
  return { ...workOrderView(order), complaintId: result.complaint.id, revision: result.revision };
}

@ApiTags('work orders')
@ApiBearerAuth()
@ApiConflictResponse({ description: 'Not allowed in the current state; `detail` says why.' })
@Controller('api/work-orders')
export class WorkOrdersHttpController {
  constructor(private readonly commands: ComplaintCommands) {}

  @Post(':id/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'The department accepts the work order' })
  @ApiOkResponse({ description: 'The work order.' })
  async accept(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const complaintId = complaintOfWorkOrder(id);
    const result = await this.commands.run('AcceptWorkOrder', principal, request, complaintId, () => ({ complaintId, workOrderId: id }), { workOrderId: id });
    return respond(id, result, reply);
  }

  @Post(':id/forward')
  @HttpCode(200)
  @ApiOperation({ summary: 'Forward (转派) to the responsible department, which gets its own hour' })
  @ApiOkResponse({ description: 'The work order, with the new `replyDueAt`.' })
  async forward(@Param('id') id: string, @Body() body: ForwardWorkOrderRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const complaintId = complaintOfWorkOrder(id);
    const result = await this.commands.run(
      'ForwardWorkOrder',
      principal,
      request,
      complaintId,
      () => ({ complaintId, workOrderId: id, department: body.department, reason: body.reason }),
      { workOrderId: id },
    );
    return respond(id, result, reply);
  }

  @Post(':id/reply')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reply with the handling opinion (回复工单), within the hour' })
  @ApiOkResponse({ description: 'The work order.' })
  async reply(@Param('id') id: string, @Body() body: ReplyToWorkOrderRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const complaintId = complaintOfWorkOrder(id);
    const result = await this.commands.run(
      'ReplyToWorkOrder',
      principal,
      request,
      complaintId,
      () => ({ complaintId, workOrderId: id, opinion: body.opinion, resolved: body.resolved }),
      { workOrderId: id },
    );
    return respond(id, result, reply);
  }

  @Post(':id/return')
  @HttpCode(200)
  @ApiOperation({ summary: 'Return (退单): the desk judges the reply not effective; dispatch again after' })
  @ApiOkResponse({ description: 'The work order.' })
  async returnToDesk(@Param('id') id: string, @Body() body: ReturnWorkOrderRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const complaintId = complaintOfWorkOrder(id);
    const result = await this.commands.run('ReturnWorkOrder', principal, request, complaintId, () => ({ complaintId, workOrderId: id, reason: body.reason }), { workOrderId: id });
    return respond(id, result, reply);
  }
}

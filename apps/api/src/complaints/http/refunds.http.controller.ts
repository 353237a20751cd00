import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { yuanToFen } from '@complaints/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal } from '../../platform/auth';
import { ResourceNotFound } from '../../platform/http';
import { parentComplaintId } from '../complaint-ids';
import { refundView } from '../complaint.representation';
import { ComplaintCommandResult } from '../run-complaint-command';
import { ExecuteRefundRequest, VerifyRefundRequest } from '../dto/refund-commands.request.dto';
import { ComplaintCommands } from './complaint-commands.service';

/** The complaint a refund id belongs to, or 404. */
export function complaintOfRefund(id: string): string {
  const complaintId = parentComplaintId(id, 'r');
  if (!complaintId) throw new ResourceNotFound(`refund ${id} does not exist`);
  return complaintId;
}

function respond(id: string, result: ComplaintCommandResult, reply: FastifyReply) {
  const refund = result.complaint.refunds.find((r) => r.id === id);
  if (!refund) throw new ResourceNotFound(`refund ${id} does not exist`);
  reply.header('ETag', `"${result.revision}"`);
  return { ...refundView(refund), complaintId: result.complaint.id, revision: result.revision };
}

@ApiTags('refunds')
@ApiBearerAuth()
@ApiConflictResponse({ description: 'Not allowed in the current state; `detail` says why.' })
@Controller('api/refunds')
export class RefundsHttpController {
  constructor(private readonly commands: ComplaintCommands) {}

  @Post(':id/verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'The accounts room verifies the account and decides (within ten minutes)' })
  @ApiOkResponse({ description: 'The refund.' })
  async verify(@Param('id') id: string, @Body() body: VerifyRefundRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const complaintId = complaintOfRefund(id);
    const result = await this.commands.run('VerifyRefund', principal, request, complaintId, () => ({
      complaintId,
      refundId: id,
      refundable: body.refundable,
      amountFen: body.amount === undefined ? undefined : yuanToFen(body.amount),
      note: body.note,
    }));
    return respond(id, result, reply);
  }

  @Post(':id/approve-cash')
  @HttpCode(200)
  @ApiOperation({ summary: 'A supervisor approves paying the refund in cash' })
  @ApiOkResponse({ description: 'The refund.' })
  async approveCash(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const complaintId = complaintOfRefund(id);
    const result = await this.commands.run('ApproveCashRefund', principal, request, complaintId, () => ({ complaintId, refundId: id }));
    return respond(id, result, reply);
  }

  @Post(':id/execute')
  @HttpCode(200)
  @ApiOperation({ summary: 'Execute the refund: back to the bill, or in cash after approval with the signed form and ID check' })
  @ApiOkResponse({ description: 'The refund.' })
  async execute(@Param('id') id: string, @Body() body: ExecuteRefundRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const complaintId = complaintOfRefund(id);
    const result = await this.commands.run('ExecuteRefund', principal, request, complaintId, () => ({
      complaintId,
      refundId: id,
      method: body.method,
      formSigned: body.formSigned ?? false,
      idChecked: body.idChecked ?? false,
    }));
    return respond(id, result, reply);
  }
}

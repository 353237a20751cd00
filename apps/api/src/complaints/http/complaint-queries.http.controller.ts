import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PersonalDataAudit } from '../../privacy/personal-data-audit';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Principal } from '../../platform/auth';
import { ResourceNotFound } from '../../platform/http';
import { complaintView, maskMsisdn, maskName, refundView, workOrderView } from '../complaint.representation';
import { ComplaintReader } from '../read/complaint-reader';
import { complaintOfRefund } from './refunds.http.controller';
import { complaintOfWorkOrder } from './work-orders.http.controller';

const masked = (principal: Principal) => principal.role === 'analyst';

/** Personal data inside event data (the registration's customer), masked for analysts. */
function maskEventData(data: unknown): unknown {
  if (!data || typeof data !== 'object' || !('customer' in data)) return data;
  const customer = (data as { customer: { msisdn: string; name?: string } }).customer;
  return { ...data, customer: { ...customer, msisdn: maskMsisdn(customer.msisdn), name: customer.name === undefined ? undefined : maskName(customer.name) }, contact: undefined };
}

@ApiTags('queries')
@ApiBearerAuth()
@Controller('api')
export class ComplaintQueriesHttpController {
  constructor(
    private readonly reader: ComplaintReader,
    private readonly audit: PersonalDataAudit,
  ) {}

  @Get('complaints/:id')
  @ApiOperation({ summary: 'A complaint with its work orders, escalations and refunds; ETag is its revision' })
  @ApiOkResponse({ description: 'The complaint; personal data masked for analysts.' })
  async complaint(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const { complaint, revision } = await this.reader.load(id, principal);
    await this.audit.recordRead(principal, 'complaint', [complaint.id]);
    reply.header('ETag', `"${revision}"`);
    return complaintView(complaint, revision, { masked: masked(principal) });
  }

  @Get('complaints/:id/history')
  @ApiOperation({ summary: 'Every event of the complaint and its work orders, oldest first' })
  @ApiOkResponse({ description: '`{ complaintId, revision, events: [{ type, time, actor, revision, data }] }`' })
  async history(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const { complaint, revision, events } = await this.reader.load(id, principal);
    await this.audit.recordRead(principal, 'history', [complaint.id]);
    return {
      complaintId: complaint.id,
      revision,
      events: events.map((e) => ({
        id: e.id,
        type: e.type,
        time: e.metadata.occurredAt ?? e.recordedAt,
        actor: e.metadata.actor,
        revision: e.revision,
        position: e.position,
        data: masked(principal) ? maskEventData(e.data) : e.data,
      })),
    };
  }

  @Get('work-orders/:id')
  @ApiOperation({ summary: 'A work order; ETag is its complaint\'s revision (If-Match on its commands)' })
  @ApiOkResponse({ description: 'The work order.' })
  async workOrder(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const notFound = `work order ${id} does not exist`;
    const { complaint, revision } = await this.reader.load(complaintOfWorkOrder(id), principal, notFound);
    const order = complaint.workOrders.find((w) => w.id === id);
    if (!order) throw new ResourceNotFound(notFound);
    reply.header('ETag', `"${revision}"`);
    return { ...workOrderView(order), complaintId: complaint.id, revision };
  }

  @Get('refunds/:id')
  @ApiOperation({ summary: 'A refund; ETag is its complaint\'s revision' })
  @ApiOkResponse({ description: 'The refund.' })
  async refund(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const notFound = `refund ${id} does not exist`;
    const { complaint, revision } = await this.reader.load(complaintOfRefund(id), principal, notFound);
    const refund = complaint.refunds.find((r) => r.id === id);
    if (!refund) throw new ResourceNotFound(notFound);
    reply.header('ETag', `"${revision}"`);
    return { ...refundView(refund), complaintId: complaint.id, revision };
  }
}

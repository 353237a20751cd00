import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ComplaintState, isRegistered, yuanToFen } from '@complaints/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal } from '../../platform/auth';
import { Forbidden } from '../../platform/http';
import { queryId, refundId, workOrderId } from '../complaint-ids';
import { complaintView, refundView, workOrderView } from '../complaint.representation';
import { Clock, CLOCK } from '@complaints/application';
import { RepeatComplainants } from '../repeat-complainants';
import {
  AnswerCustomerQueryRequest,
  ClassifyComplaintRequest,
  RecordCustomerQueryRequest,
  CompleteCallbackRequest,
  EscalateComplaintRequest,
  PauseClockRequest,
  RecordSatisfactionRequest,
  ReplyToCustomerRequest,
  ResolveOnSiteRequest,
} from '../dto/complaint-commands.request.dto';
import { RegisterComplaintRequest } from '../dto/register-complaint.request.dto';
import { RequestRefundRequest } from '../dto/refund-commands.request.dto';
import { DispatchWorkOrderRequest } from '../dto/work-order-commands.request.dto';
import { ComplaintCommands } from './complaint-commands.service';

function etag(reply: FastifyReply, revision: number): void {
  reply.header('ETag', `"${revision}"`);
}

const sequenceOf = (state: ComplaintState, kind: 'workOrders' | 'refunds') => (isRegistered(state) ? state[kind].length + 1 : 1);

@ApiTags('complaints')
@ApiBearerAuth()
@ApiConflictResponse({ description: 'Not allowed in the current state; `detail` says why.' })
@Controller('api/complaints')
export class ComplaintsHttpController {
  constructor(
    private readonly commands: ComplaintCommands,
    private readonly repeatComplainants: RepeatComplainants,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Register a complaint (受理)' })
  @ApiCreatedResponse({ description: 'The complaint, with its level and `dueAt`.' })
  async register(
    @Body() body: RegisterComplaintRequest,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (principal.branch !== undefined && principal.branch !== body.branch) {
      throw new Forbidden(`a desk of branch ${principal.branch} registers complaints for its own branch, not ${body.branch}`);
    }
    const identity = this.commands.identity(principal, request);
    const complaintId = identity.newId('complaint');
    // the repeat-complainant fact reaches the decider inside the command: complaints by this number in the window, closed ones too
    const priorComplaints = await this.repeatComplainants.countBefore(body.customer.msisdn, this.clock.now(), complaintId);
    const result = await this.commands.run(
      'RegisterComplaint',
      principal,
      request,
      complaintId,
      () => ({
        complaintId,
        channel: body.channel,
        externalRef: body.externalRef,
        customer: {
          msisdn: body.customer.msisdn,
          name: body.customer.name,
          vip: body.customer.vip ?? false,
          groupCustomer: body.customer.groupCustomer ?? false,
          accountType: body.customer.accountType ?? 'personal',
        },
        branch: body.branch,
        hall: body.hall,
        category: body.category,
        subcategory: body.subcategory,
        description: body.description,
        contact: body.contact,
        priorComplaints,
      }),
      { identity },
    );
    etag(reply, result.revision);
    reply.header('Location', `/api/complaints/${complaintId}`);
    return complaintView(result.complaint, result.revision, { masked: false });
  }

  @Post(':id/classify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Classify or reclassify (分类): category and level' })
  @ApiOkResponse({ description: 'The complaint.' })
  async classify(@Param('id') id: string, @Body() body: ClassifyComplaintRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.run('ClassifyComplaint', principal, request, id, () => ({ complaintId: id, ...body }));
    etag(reply, result.revision);
    return complaintView(result.complaint, result.revision, { masked: false });
  }

  @Post(':id/resolve-on-site')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve on site (现场处理): the customer is answered at once' })
  @ApiOkResponse({ description: 'The complaint, now answered.' })
  async resolveOnSite(@Param('id') id: string, @Body() body: ResolveOnSiteRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.run('ResolveOnSite', principal, request, id, () => ({ complaintId: id, resolution: body.resolution }));
    etag(reply, result.revision);
    return complaintView(result.complaint, result.revision, { masked: false });
  }

  @Post(':id/dispatch')
  @ApiOperation({ summary: 'Dispatch a work order (派单) to a department, which has one hour to reply' })
  @ApiCreatedResponse({ description: 'The work order, with `replyDueAt`.' })
  async dispatch(@Param('id') id: string, @Body() body: DispatchWorkOrderRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.run('DispatchWorkOrder', principal, request, id, (state) => ({
      complaintId: id,
      workOrderId: workOrderId(id, sequenceOf(state, 'workOrders')),
      department: body.department,
      note: body.note,
    }));
    const dispatched = result.events.find((e) => e.type === 'WorkOrderDispatched');
    const order = result.complaint.workOrders.find((w) => dispatched?.type === 'WorkOrderDispatched' && w.id === dispatched.data.workOrderId);
    if (!order) throw new Error(`dispatch of complaint ${id} wrote no work order`);
    etag(reply, result.revision);
    reply.header('Location', `/api/work-orders/${order.id}`);
    return { ...workOrderView(order), complaintId: id, revision: result.revision };
  }

  @Post(':id/customer-reply')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reply to the customer: the final answer once resolved, otherwise an interim reply' })
  @ApiOkResponse({ description: 'The complaint.' })
  async replyToCustomer(@Param('id') id: string, @Body() body: ReplyToCustomerRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.run('ReplyToCustomer', principal, request, id, () => ({ complaintId: id, method: body.method, content: body.content }));
    etag(reply, result.revision);
    return complaintView(result.complaint, result.revision, { masked: false });
  }

  @Post(':id/satisfaction')
  @HttpCode(200)
  @ApiOperation({ summary: "Record the customer's satisfaction; not satisfied passes it to the branch customer supervisor" })
  @ApiOkResponse({ description: 'The complaint.' })
  async satisfaction(@Param('id') id: string, @Body() body: RecordSatisfactionRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.run('RecordSatisfaction', principal, request, id, () => ({ complaintId: id, satisfied: body.satisfied, comment: body.comment }));
    etag(reply, result.revision);
    return complaintView(result.complaint, result.revision, { masked: false });
  }

  @Post(':id/escalate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Escalate one rung up the ladder (branch customer supervisor, then marketing customer-service management)' })
  @ApiOkResponse({ description: 'The complaint.' })
  async escalate(@Param('id') id: string, @Body() body: EscalateComplaintRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.run('EscalateComplaint', principal, request, id, () => ({ complaintId: id, reason: body.reason }));
    etag(reply, result.revision);
    return complaintView(result.complaint, result.revision, { masked: false });
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: "Pause the level clock while waiting for the customer; the paused time does not count" })
  @ApiOkResponse({ description: 'The complaint.' })
  async pause(@Param('id') id: string, @Body() body: PauseClockRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.run('PauseLevelClock', principal, request, id, () => ({ complaintId: id, reason: body.reason }));
    etag(reply, result.revision);
    return complaintView(result.complaint, result.revision, { masked: false });
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume the level clock; its due time moves by the time it was paused' })
  @ApiOkResponse({ description: 'The complaint, with the new `dueAt`.' })
  async resume(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.run('ResumeLevelClock', principal, request, id, () => ({ complaintId: id }));
    etag(reply, result.revision);
    return complaintView(result.complaint, result.revision, { masked: false });
  }

  @Post(':id/queries')
  @ApiOperation({
    summary: 'Record a customer query (咨询) that cannot be answered on the spot; it is due within 3 working days (mainland China calendar)',
  })
  @ApiCreatedResponse({ description: 'The query, with `answerDueAt`.' })
  async recordQuery(
    @Param('id') id: string,
    @Body() body: RecordCustomerQueryRequest,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.commands.run('RecordCustomerQuery', principal, request, id, (state) => ({
      complaintId: id,
      queryId: queryId(id, isRegistered(state) ? state.queries.length + 1 : 1),
      question: body.question,
      department: body.department,
    }));
    const recorded = result.events.find((e) => e.type === 'CustomerQueryRecorded');
    const query = result.complaint.queries.find((q) => recorded?.type === 'CustomerQueryRecorded' && q.id === recorded.data.queryId);
    if (!query) throw new Error(`the query on complaint ${id} wrote nothing`);
    etag(reply, result.revision);
    return { ...query, complaintId: id, revision: result.revision };
  }

  @Post(':id/queries/:queryId/answer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record the answer to a customer query; `inTime` says whether it came within its working days' })
  @ApiOkResponse({ description: 'The complaint with its queries.' })
  async answerQuery(
    @Param('id') id: string,
    @Param('queryId') query: string,
    @Body() body: AnswerCustomerQueryRequest,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.commands.run('AnswerCustomerQuery', principal, request, id, () => ({ complaintId: id, queryId: query, answer: body.answer }));
    etag(reply, result.revision);
    return complaintView(result.complaint, result.revision, { masked: false });
  }

  @Post(':id/callbacks/:callbackId/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record the outcome of a callback (回访): satisfied, unsatisfied (reopens the complaint), unreachable (tried again later)' })
  @ApiOkResponse({ description: 'The complaint with its callbacks.' })
  async completeCallback(
    @Param('id') id: string,
    @Param('callbackId') callbackId: string,
    @Body() body: CompleteCallbackRequest,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.commands.run('CompleteCallback', principal, request, id, () => ({ complaintId: id, callbackId, outcome: body.outcome, notes: body.notes }));
    etag(reply, result.revision);
    return complaintView(result.complaint, result.revision, { masked: false });
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Archive (归档) a complaint whose customer is satisfied' })
  @ApiOkResponse({ description: 'The complaint.' })
  async archive(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.run('ArchiveComplaint', principal, request, id, () => ({ complaintId: id }));
    etag(reply, result.revision);
    return complaintView(result.complaint, result.revision, { masked: false });
  }

  @Post(':id/refunds')
  @ApiOperation({ summary: 'Request a refund for a billing complaint; the accounts room verifies it within ten minutes' })
  @ApiCreatedResponse({ description: 'The refund, with `verifyDueAt`.' })
  async requestRefund(@Param('id') id: string, @Body() body: RequestRefundRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.run('RequestRefund', principal, request, id, (state) => ({
      complaintId: id,
      refundId: refundId(id, sequenceOf(state, 'refunds')),
      amountClaimedFen: yuanToFen(body.amountClaimed),
      reason: body.reason,
    }));
    const requested = result.events.find((e) => e.type === 'RefundRequested');
    const refund = result.complaint.refunds.find((r) => requested?.type === 'RefundRequested' && r.id === requested.data.refundId);
    if (!refund) throw new Error(`refund request of complaint ${id} wrote no refund`);
    etag(reply, result.revision);
    reply.header('Location', `/api/refunds/${refund.id}`);
    return { ...refundView(refund), complaintId: id, revision: result.revision };
  }
}

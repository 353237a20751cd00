import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Clock, CLOCK } from '@complaints/application';
import { departmentQueue, deskQueue, overdueQueue } from '@complaints/read-models/queries';
import { CurrentPrincipal, Principal, Roles } from '../platform/auth';
import { Forbidden } from '../platform/http';
import { DepartmentQueueQuery, DeskQueueQuery } from './query.request.dto';
import { branchInScope, instant } from './query-scope';
import { ReadModelsReader } from './read-models.reader';

@ApiTags('queues')
@ApiBearerAuth()
@Controller('api/queues')
export class QueuesHttpController {
  constructor(
    private readonly readModels: ReadModelsReader,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('desk')
  @Roles('agent', 'supervisor', 'callcenter', 'analyst', 'admin')
  @ApiOperation({ summary: 'Open complaints of a desk, most urgent first: overdue, appeal risk, VIP, level, due time; `asOf` for a past instant' })
  @ApiOkResponse({ description: '`{ branch, asOf, items }`' })
  async desk(@Query() query: DeskQueueQuery, @CurrentPrincipal() principal: Principal) {
    const now = this.clock.now();
    const asOf = instant(query.asOf, 'asOf', { notAfter: now });
    const branch = branchInScope(principal, query.branch);
    const items = await deskQueue(await this.readModels.fresh(), { branch, now, asOf, limit: query.limit ?? 200 });
    return { branch: branch ?? null, asOf: (asOf ?? now).toISOString(), items };
  }

  @Get('department/:department')
  @Roles('handler', 'supervisor', 'agent', 'callcenter', 'analyst', 'admin')
  @ApiOperation({ summary: "A department's open work orders, the one due soonest first, with the time left to `replyDueAt`" })
  @ApiOkResponse({ description: '`{ department, asOf, items }`' })
  async department(@Param('department') department: string, @Query() query: DepartmentQueueQuery, @CurrentPrincipal() principal: Principal) {
    if (principal.role === 'handler' && principal.department !== department) {
      throw new Forbidden(`a handler of ${principal.department} reads its own department's queue, not ${department}'s`);
    }
    const now = this.clock.now();
    const asOf = instant(query.asOf, 'asOf', { notAfter: now });
    const branch = branchInScope(principal, undefined);
    const items = await departmentQueue(await this.readModels.fresh(), { department, branch, now, asOf, limit: query.limit ?? 200 });
    return { department, asOf: (asOf ?? now).toISOString(), items };
  }

  @Get('overdue')
  @Roles('supervisor', 'agent', 'callcenter', 'analyst', 'admin')
  @ApiOperation({ summary: 'Everything past its deadline, by kind (complaints, work orders, refund verifications), and complaints at appeal risk' })
  @ApiOkResponse({ description: '`{ asOf, complaints, workOrders, refundVerifications, appealRisk }`' })
  async overdue(@Query() query: DeskQueueQuery, @CurrentPrincipal() principal: Principal) {
    const now = this.clock.now();
    const asOf = instant(query.asOf, 'asOf', { notAfter: now });
    const branch = branchInScope(principal, query.branch);
    return { branch: branch ?? null, ...(await overdueQueue(await this.readModels.fresh(), { branch, now, asOf, limit: query.limit ?? 200 })) };
  }
}

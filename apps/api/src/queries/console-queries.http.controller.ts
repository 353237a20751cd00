import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Clock, CLOCK } from '@complaints/application';
import { ComplaintPolicy } from '@complaints/domain';
import { refundQueue, statsTrend } from '@complaints/read-models/queries';
import { COMPLAINT_POLICY } from '../complaints/complaint-policy.provider';
import { maskMsisdn } from '../complaints/complaint.representation';
import { CurrentPrincipal, Principal, Roles } from '../platform/auth';
import { RefundQueueQuery } from './console-queries.request.dto';
import { StatsQueryDto } from './query.request.dto';
import { badField, branchInScope, instant } from './query-scope';
import { ReadModelsReader } from './read-models.reader';

const DAY_MS = 86_400_000;

/** Reads the web console needs beyond API.md's list: the refunds waiting on a desk, and the dashboard's day-by-day figures. */
@ApiTags('queues')
@ApiBearerAuth()
@Controller('api')
export class ConsoleQueriesHttpController {
  constructor(
    private readonly readModels: ReadModelsReader,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COMPLAINT_POLICY) private readonly policy: ComplaintPolicy,
  ) {}

  @Get('queues/refunds')
  @Roles('accounts', 'supervisor', 'agent', 'callcenter', 'admin')
  @ApiOperation({ summary: 'Refunds waiting: `requested` ones for the accounts room (due soonest first), `verified` ones to execute, with whether cash was approved' })
  @ApiOkResponse({ description: '`{ branch, status, items: [{ refundId, complaintId, branch, status, amountClaimed, amount, requestedAt, verifyDueAt, verifiedAt, cashApproved }] }`' })
  async refunds(@Query() query: RefundQueueQuery, @CurrentPrincipal() principal: Principal) {
    const branch = branchInScope(principal, query.branch);
    const status = query.status ?? 'requested';
    const items = await refundQueue(await this.readModels.fresh(), { status, branch, limit: query.limit ?? 200 });
    return { branch: branch ?? null, status, items };
  }

  @Get('stats/trend')
  @Roles('analyst', 'supervisor', 'callcenter', 'admin')
  @ApiOperation({
    summary:
      "The dashboard's figures beside the summary: complaints and escalations by day (China Standard Time), categories against the MIIT classes, callback outcomes, repeat complainants (numbers masked)",
  })
  @ApiOkResponse({ description: '`{ from, to, asOf, days: [{ date, registered, byCategory, escalations, repeats }], categoryByMiit, escalationsByTrigger, callbacks, repeatComplainants }`' })
  async trend(@Query() query: StatsQueryDto, @CurrentPrincipal() principal: Principal) {
    const now = this.clock.now();
    const asOf = instant(query.asOf, 'asOf', { notAfter: now }) ?? now;
    const to = instant(query.to, 'to') ?? asOf;
    const from = instant(query.from, 'from') ?? new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) throw badField('from', 'from must be before to');
    if (to.getTime() - from.getTime() > 400 * DAY_MS) throw badField('from', 'the period is at most 400 days');
    const trend = await statsTrend(await this.readModels.fresh(), this.policy, { from, to, asOf, branch: branchInScope(principal, query.branch) });
    // a chart needs no whole numbers: masked for every role, so the dashboard never reads personal data
    return { ...trend, repeatComplainants: trend.repeatComplainants.map((r) => ({ ...r, msisdn: maskMsisdn(r.msisdn) })) };
  }
}

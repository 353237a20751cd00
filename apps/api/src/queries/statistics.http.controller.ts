import { Body, Controller, Get, Headers, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Clock, CLOCK, CommandPipeline } from '@complaints/application';
import { ComplaintPolicy, preventiveMeasureDecider } from '@complaints/domain';
import { EVENT_STORE, EventStore } from '@complaints/event-store';
import { bulletin, Bulletin, cstDate, PERIOD_KINDS, PeriodKind, periodOf, periodReport, REPORT_CSV_HEADER, reportRows, statsSummary } from '@complaints/read-models/queries';
import { CurrentPrincipal, Principal, Roles } from '../platform/auth';
import { ResourceNotFound } from '../platform/http';
import { COMPLAINT_POLICY } from '../complaints/complaint-policy.provider';
import { commandIdentity } from '../complaints/http/complaint-commands.service';
import { RecordMeasureRequest } from './record-measure.request.dto';
import { BulletinQuery, ReportQuery, StatsQueryDto } from './query.request.dto';
import { badField, branchInScope, instant } from './query-scope';
import { ReadModelsReader } from './read-models.reader';

const DAY_MS = 86_400_000;
/** Excel reads UTF-8 CSV as such only with a byte-order mark. */
const UTF8_BOM = '\uFEFF';

function wantsCsv(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.trim().toLowerCase().startsWith('text/csv'));
}

function sendCsv(reply: FastifyReply, filename: string, rows: (string | number | null)[][]): string {
  reply.header('Content-Type', 'text/csv; charset=utf-8');
  reply.header('Content-Disposition', `attachment; filename="${filename}"`);
  return UTF8_BOM + stringify(rows);
}

function bulletinRows(b: Bulletin): (string | number | null)[][] {
  return [
    ['周期', '类别', '子类', '工信部分类', '投诉量', '占比', '上期投诉量', '上期占比', '变化(百分点)'],
    ...b.topCauses.map((c) => [b.period.label, c.category, c.subcategory ?? '', c.miitClassName, c.count, c.rate, c.previousCount, c.previousRate, c.change]),
  ];
}

@ApiTags('statistics')
@ApiBearerAuth()
@Controller('api')
export class StatisticsHttpController {
  private readonly pipeline: CommandPipeline;

  constructor(
    private readonly readModels: ReadModelsReader,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COMPLAINT_POLICY) private readonly policy: ComplaintPolicy,
    @Inject(EVENT_STORE) store: EventStore,
  ) {
    this.pipeline = new CommandPipeline(store);
  }

  @Get('stats/summary')
  @Roles('analyst', 'supervisor', 'callcenter', 'admin')
  @ApiOperation({ summary: 'Counts by category, channel, branch, department; on-site resolution; 1-hour compliance per department hop; reply times; escalation, reopen and repeat rates; satisfaction; refunds' })
  @ApiOkResponse({ description: 'The summary; `asOf` answers as of a past instant.' })
  async summary(@Query() query: StatsQueryDto, @CurrentPrincipal() principal: Principal) {
    const now = this.clock.now();
    const asOf = instant(query.asOf, 'asOf', { notAfter: now }) ?? now;
    const to = instant(query.to, 'to') ?? asOf;
    const from = instant(query.from, 'from') ?? new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) throw badField('from', 'from must be before to');
    return statsSummary(await this.readModels.fresh(), { from, to, asOf, branch: branchInScope(principal, query.branch) });
  }

  @Get('reports/bulletin')
  @Roles('analyst', 'supervisor', 'admin')
  @ApiOperation({ summary: 'The analyst bulletin: top causes with their MIIT class, branch trends against the previous period, preventive measures and their evaluation' })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ description: 'JSON, or CSV of the top causes with `Accept: text/csv`.' })
  async bulletin(@Query() query: BulletinQuery, @CurrentPrincipal() principal: Principal, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const now = this.clock.now();
    const asOf = instant(query.asOf, 'asOf', { notAfter: now }) ?? now;
    const kind = query.period ?? 'monthly';
    const date = query.date ?? cstDate(now);
    const result = await this.inPeriod(async () => bulletin(await this.readModels.fresh(), this.policy, { kind, date, asOf, branch: branchInScope(principal, query.branch), top: query.top ?? 10 }));
    return wantsCsv(accept) ? sendCsv(reply, `bulletin-${kind}-${date}.csv`, bulletinRows(result)) : result;
  }

  @Get('reports/:period')
  @Roles('analyst', 'supervisor', 'admin')
  @ApiOperation({ summary: 'The daily, ten-day (旬报), monthly or yearly report, in total and per branch' })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ description: 'JSON, or CSV (UTF-8 with BOM, one row per branch and a total) with `Accept: text/csv`.' })
  async report(
    @Param('period') period: string,
    @Query() query: ReportQuery,
    @CurrentPrincipal() principal: Principal,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!(PERIOD_KINDS as readonly string[]).includes(period)) {
      throw new ResourceNotFound(`there is no ${period} report; periods: ${PERIOD_KINDS.join(', ')}, and the bulletin`);
    }
    const now = this.clock.now();
    const asOf = instant(query.asOf, 'asOf', { notAfter: now }) ?? now;
    const date = query.date ?? cstDate(now);
    const kind = period as PeriodKind;
    const report = await this.inPeriod(async () => periodReport(await this.readModels.fresh(), { kind, date, asOf, branch: branchInScope(principal, query.branch) }));
    return wantsCsv(accept) ? sendCsv(reply, `report-${kind}-${date}.csv`, [REPORT_CSV_HEADER, ...reportRows(report)]) : report;
  }

  @Post('bulletins/measures')
  @Roles('analyst', 'admin')
  @ApiOperation({ summary: "Record a preventive measure against a cause for a period; the next period's bulletin evaluates it" })
  @ApiCreatedResponse({ description: 'The measure.' })
  async recordMeasure(@Body() body: RecordMeasureRequest, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest) {
    const period = await this.inPeriod(async () => periodOf(body.period, body.date));
    const identity = commandIdentity(principal, request);
    const measureId = identity.newId('measure');
    const now = this.clock.now().toISOString();
    const result = await this.pipeline.execute({
      streamId: `measure-${measureId}`,
      decider: preventiveMeasureDecider,
      command: {
        type: 'RecordPreventiveMeasure',
        data: {
          measureId,
          period: { kind: period.kind, label: period.label, start: period.start.toISOString(), end: period.end.toISOString() },
          cause: { category: body.category, subcategory: body.subcategory },
          branch: body.branch,
          measure: body.measure,
        },
        context: { now, actor: principal.sub },
      },
      eventIds: identity.eventId,
      metadata: { actor: principal.sub, role: principal.role, occurredAt: now },
    });
    const recorded = result.events[0];
    return { ...recorded.data, recordedBy: principal.sub };
  }

  /** a date that is not a calendar date is the caller's mistake: 400 naming `date` */
  private async inPeriod<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof RangeError) throw badField('date', error.message);
      throw error;
    }
  }
}

import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InvalidCursor, searchComplaints } from '@complaints/read-models/queries';
import { CurrentPrincipal, Principal, Roles } from '../platform/auth';
import { maskMsisdn, maskName } from '../complaints/complaint.representation';
import { SearchComplaintsQuery } from './query.request.dto';
import { badField, branchInScope, instant } from './query-scope';
import { PersonalDataAudit } from '../privacy/personal-data-audit';
import { ReadModelsReader } from './read-models.reader';

@ApiTags('queries')
@ApiBearerAuth()
@Controller('api/complaints')
export class SearchHttpController {
  constructor(
    private readonly readModels: ReadModelsReader,
    private readonly audit: PersonalDataAudit,
  ) {}

  @Get()
  @Roles('agent', 'supervisor', 'accounts', 'callcenter', 'analyst', 'admin')
  @ApiOperation({ summary: 'Search complaints by number, status, branch and registration dates, newest first, paged by cursor' })
  @ApiOkResponse({ description: '`{ items, nextCursor }`; personal data masked for analysts' })
  async search(@Query() query: SearchComplaintsQuery, @CurrentPrincipal() principal: Principal) {
    const branch = branchInScope(principal, query.branch);
    try {
      const page = await searchComplaints(await this.readModels.fresh(), {
        msisdn: query.msisdn,
        status: query.status,
        branch,
        from: instant(query.from, 'from'),
        to: instant(query.to, 'to'),
        cursor: query.cursor,
        limit: query.limit ?? 50,
      });
      if (principal.role !== 'analyst') {
        await this.audit.recordRead(principal, 'search', page.items.map((item) => item.id));
        return page;
      }
      return {
        ...page,
        items: page.items.map((item) => ({ ...item, msisdn: maskMsisdn(item.msisdn), customerName: item.customerName === null ? null : maskName(item.customerName) })),
      };
    } catch (error) {
      if (error instanceof InvalidCursor) throw badField('cursor', error.message);
      throw error;
    }
  }
}

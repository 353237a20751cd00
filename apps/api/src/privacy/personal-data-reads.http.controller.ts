import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Roles } from '../platform/auth';
import { badField, instant } from '../queries/query-scope';
import { ReadModelsReader } from '../queries/read-models.reader';

export class PersonalDataReadsQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  complaintId?: string;

  @ApiPropertyOptional({ description: "the viewer's token subject" })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  viewer?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 instant' })
  from?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 instant' })
  to?: string;

  @ApiPropertyOptional({ description: 'the `nextCursor` of the previous page' })
  @IsOptional()
  @Matches(/^\d+~.+$/, { message: 'cursor must be a nextCursor this server gave out' })
  cursor?: string;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

@ApiTags('privacy')
@ApiBearerAuth()
@Controller('api/admin/personal-data-reads')
export class PersonalDataReadsHttpController {
  constructor(private readonly readModels: ReadModelsReader) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: "Every unmasked read of a complaint's personal data by a person, newest first" })
  @ApiOkResponse({ description: '`{ items: [{ complaintId, viewer, role, view, viewedAt }], nextCursor }`' })
  async list(@Query() query: PersonalDataReadsQuery) {
    const from = instant(query.from, 'from');
    const to = instant(query.to, 'to');
    if (from && to && from >= to) throw badField('from', 'from must be before to');
    const limit = query.limit ?? 100;
    let q = (await this.readModels.fresh()).selectFrom('personal_data_reads').select(['complaint_id', 'viewer', 'role', 'view', 'viewed_at', 'position']);
    if (query.complaintId) q = q.where('complaint_id', '=', query.complaintId);
    if (query.viewer) q = q.where('viewer', '=', query.viewer);
    if (from) q = q.where('viewed_at', '>=', from.toISOString());
    if (to) q = q.where('viewed_at', '<', to.toISOString());
    if (query.cursor !== undefined) {
      // position desc, then complaint id: one read of a search page covers several complaints at one position
      const [position, complaintId] = [Number(query.cursor.slice(0, query.cursor.indexOf('~'))), query.cursor.slice(query.cursor.indexOf('~') + 1)];
      q = q.where((eb) => eb.or([eb('position', '<', position), eb.and([eb('position', '=', position), eb('complaint_id', '>', complaintId)])]));
    }
    const rows = await q.orderBy('position', 'desc').orderBy('complaint_id').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({ complaintId: r.complaint_id, viewer: r.viewer, role: r.role, view: r.view, viewedAt: r.viewed_at })),
      nextCursor: rows.length > limit ? `${page[page.length - 1].position}~${page[page.length - 1].complaint_id}` : null,
    };
  }
}

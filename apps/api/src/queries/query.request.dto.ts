import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { PERIOD_KINDS, PeriodKind } from '@complaints/read-models/queries';
import { BRANCH_PATTERN, MSISDN_PATTERN } from '../complaints/dto/register-complaint.request.dto';

const COMPLAINT_STATUSES = ['registered', 'dispatched', 'in_progress', 'resolved', 'answered', 'satisfied', 'archived'];

export class AsOfQuery {
  @ApiPropertyOptional({ description: 'a past instant (ISO-8601): the answer as it stood then, from the event history' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'asOf must be an ISO-8601 instant such as 2026-11-27T14:00:00+08:00' })
  asOf?: string;
}

export class DeskQueueQuery extends AsOfQuery {
  @ApiPropertyOptional({ example: 'ZG', description: "the desk's branch; an agent's own branch by default" })
  @IsOptional()
  @Matches(BRANCH_PATTERN, { message: 'branch must be a branch code such as ZG' })
  branch?: string;

  @ApiPropertyOptional({ default: 200, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class DepartmentQueueQuery extends AsOfQuery {
  @ApiPropertyOptional({ default: 200, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class SearchComplaintsQuery {
  @ApiPropertyOptional({ example: '13812345678' })
  @IsOptional()
  @Matches(MSISDN_PATTERN, { message: 'msisdn must be an 11-digit mainland mobile number' })
  msisdn?: string;

  @ApiPropertyOptional({ enum: COMPLAINT_STATUSES })
  @IsOptional()
  @IsIn(COMPLAINT_STATUSES)
  status?: string;

  @ApiPropertyOptional({ example: 'ZG' })
  @IsOptional()
  @Matches(BRANCH_PATTERN, { message: 'branch must be a branch code such as ZG' })
  branch?: string;

  @ApiPropertyOptional({ description: 'registered at or after (ISO-8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 instant or date' })
  from?: string;

  @ApiPropertyOptional({ description: 'registered before (ISO-8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 instant or date' })
  to?: string;

  @ApiPropertyOptional({ description: 'the `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class StatsQueryDto extends AsOfQuery {
  @ApiPropertyOptional({ description: 'complaints registered at or after (ISO-8601); default: 30 days before `to`' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 instant or date' })
  from?: string;

  @ApiPropertyOptional({ description: 'and before (ISO-8601); default: now' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 instant or date' })
  to?: string;

  @ApiPropertyOptional({ example: 'ZG' })
  @IsOptional()
  @Matches(BRANCH_PATTERN, { message: 'branch must be a branch code such as ZG' })
  branch?: string;
}

export class ReportQuery extends AsOfQuery {
  @ApiPropertyOptional({ example: '2026-11-27', description: 'a calendar date (China Standard Time) inside the period; default: today' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be a calendar date such as 2026-11-27' })
  date?: string;

  @ApiPropertyOptional({ example: 'ZG' })
  @IsOptional()
  @Matches(BRANCH_PATTERN, { message: 'branch must be a branch code such as ZG' })
  branch?: string;
}

export class BulletinQuery extends ReportQuery {
  @ApiPropertyOptional({ enum: PERIOD_KINDS, default: 'monthly' })
  @IsOptional()
  @IsIn(PERIOD_KINDS)
  period?: PeriodKind;

  @ApiPropertyOptional({ default: 10, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  top?: number;
}

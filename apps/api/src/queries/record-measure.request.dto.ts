import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { COMPLAINT_CATEGORIES, ComplaintCategory } from '@complaints/domain';
import { PERIOD_KINDS, PeriodKind } from '@complaints/read-models/queries';
import { BRANCH_PATTERN } from '../complaints/dto/register-complaint.request.dto';

export class RecordMeasureRequest {
  @ApiProperty({ enum: PERIOD_KINDS, example: 'monthly' })
  @IsIn(PERIOD_KINDS)
  period!: PeriodKind;

  @ApiProperty({ example: '2026-11-01', description: 'a calendar date inside the period' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be a calendar date such as 2026-11-27' })
  date!: string;

  @ApiProperty({ enum: COMPLAINT_CATEGORIES })
  @IsIn(COMPLAINT_CATEGORIES)
  category!: ComplaintCategory;

  @ApiPropertyOptional({ example: '双重扣费' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  subcategory?: string;

  @ApiPropertyOptional({ example: 'ZG', description: 'the branch that carries it out; absent: the whole company' })
  @IsOptional()
  @Matches(BRANCH_PATTERN, { message: 'branch must be a branch code such as ZG' })
  branch?: string;

  @ApiProperty({ example: '每日核对流量套餐计费规则' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  measure!: string;
}

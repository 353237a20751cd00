import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CallbackOutcome, COMPLAINT_CATEGORIES, ComplaintCategory, ComplaintLevel, CONTACT_METHODS, ContactMethod } from '@complaints/domain';

const TEXT_MAX = 4000;

export class ClassifyComplaintRequest {
  @ApiProperty({ enum: COMPLAINT_CATEGORIES })
  @IsIn(COMPLAINT_CATEGORIES)
  category!: ComplaintCategory;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  subcategory?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 3, description: 'the level before raises (VIP, group, repeat, channel add one)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3)
  level?: ComplaintLevel;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  reason?: string;
}

export class ResolveOnSiteRequest {
  @ApiProperty({ example: 'Explained the package rules; credited nothing.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_MAX)
  resolution!: string;
}

export class ReplyToCustomerRequest {
  @ApiProperty({ enum: CONTACT_METHODS })
  @IsIn(CONTACT_METHODS)
  method!: ContactMethod;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_MAX)
  content!: string;
}

export class RecordSatisfactionRequest {
  @ApiProperty()
  @IsBoolean()
  satisfied!: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  comment?: string;
}

export class EscalateComplaintRequest {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_MAX)
  reason!: string;
}

export class PauseClockRequest {
  @ApiProperty({ example: 'waiting for the customer to send the bill' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_MAX)
  reason!: string;
}

export class CompleteCallbackRequest {
  @ApiProperty({ enum: ['satisfied', 'unsatisfied', 'unreachable'] })
  @IsIn(['satisfied', 'unsatisfied', 'unreachable'])
  outcome!: CallbackOutcome;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  notes?: string;
}

export class RecordCustomerQueryRequest {
  @ApiProperty({ example: '为什么我的流量包提前停用了？', description: 'the question the desk could not answer on the spot' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_MAX)
  question!: string;

  @ApiPropertyOptional({ example: 'data', description: 'the department the query is forwarded to, if any' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  department?: string;
}

export class AnswerCustomerQueryRequest {
  @ApiProperty({ example: '流量包按自然月计算，已为您说明。' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_MAX)
  answer!: string;
}

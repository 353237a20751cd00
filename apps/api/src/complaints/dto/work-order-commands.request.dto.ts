import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { DEFAULT_POLICY } from '@complaints/domain';

const TEXT_MAX = 4000;
const DEPARTMENTS = Object.keys(DEFAULT_POLICY.departments);

export class DispatchWorkOrderRequest {
  @ApiProperty({ enum: DEPARTMENTS, example: 'billing-center' })
  @IsIn(DEPARTMENTS)
  department!: string;

  @ApiPropertyOptional({ description: 'what was agreed with the customer, or anything the department should know' })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  note?: string;
}

export class ForwardWorkOrderRequest {
  @ApiProperty({ enum: DEPARTMENTS })
  @IsIn(DEPARTMENTS)
  department!: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_MAX)
  reason!: string;
}

export class ReplyToWorkOrderRequest {
  @ApiProperty({ description: 'the handling opinion (处理意见)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_MAX)
  opinion!: string;

  @ApiProperty({ description: 'whether the matter is resolved' })
  @IsBoolean()
  resolved!: boolean;
}

export class ReturnWorkOrderRequest {
  @ApiProperty({ description: 'why the desk judges it not effectively resolved (退单)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_MAX)
  reason!: string;
}

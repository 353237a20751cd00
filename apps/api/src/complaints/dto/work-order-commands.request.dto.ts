import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const TEXT_MAX = 4000;
/**
 * The shape of a department id. Which departments exist is the business of
 * the policy in force, which a new version may change: the decider refuses one
 * it does not know (409 `department.unknown`, naming those it knows);
 * `GET /api/catalog` lists them.
 */
const DEPARTMENT_ID = /^[a-z][a-z0-9-]{0,39}$/;
const DEPARTMENT = { example: 'billing-center', description: 'a department of the policy in force (`GET /api/catalog`)' };
const DEPARTMENT_MESSAGE = { message: 'department must be a department id such as billing-center (GET /api/catalog lists them)' };

export class DispatchWorkOrderRequest {
  @ApiProperty(DEPARTMENT)
  @IsString()
  @Matches(DEPARTMENT_ID, DEPARTMENT_MESSAGE)
  department!: string;

  @ApiPropertyOptional({ description: 'what was agreed with the customer, or anything the department should know' })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  note?: string;
}

export class ForwardWorkOrderRequest {
  @ApiProperty(DEPARTMENT)
  @IsString()
  @Matches(DEPARTMENT_ID, DEPARTMENT_MESSAGE)
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

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { RefundMethod } from '@complaints/domain';

const TEXT_MAX = 4000;
const MAX_REFUND_YUAN = 1_000_000;
const REFUND_METHODS: RefundMethod[] = ['bill_credit', 'cash'];

export class RequestRefundRequest {
  @ApiProperty({ example: 30.5, description: 'yuan, at most two decimals' })
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false }, { message: 'amountClaimed must be an amount in yuan with at most two decimals' })
  @Min(0.01)
  @Max(MAX_REFUND_YUAN)
  amountClaimed!: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  reason?: string;
}

export class VerifyRefundRequest {
  @ApiProperty()
  @IsBoolean()
  refundable!: boolean;

  @ApiPropertyOptional({ description: 'the amount due in yuan; defaults to the amount claimed' })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false }, { message: 'amount must be an amount in yuan with at most two decimals' })
  @Min(0.01)
  @Max(MAX_REFUND_YUAN)
  amount?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  note?: string;
}

export class ExecuteRefundRequest {
  @ApiProperty({ enum: REFUND_METHODS })
  @IsIn(REFUND_METHODS)
  method!: RefundMethod;

  @ApiPropertyOptional({ description: 'the customer signed the cash refund form (现金退费表)' })
  @IsOptional()
  @IsBoolean()
  formSigned?: boolean;

  @ApiPropertyOptional({ description: "the agent checked the customer's ID" })
  @IsOptional()
  @IsBoolean()
  idChecked?: boolean;
}

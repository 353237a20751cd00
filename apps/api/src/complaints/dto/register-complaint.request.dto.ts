import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import {
  ACCOUNT_TYPES,
  AccountType,
  COMPLAINT_CATEGORIES,
  COMPLAINT_CHANNELS,
  ComplaintCategory,
  ComplaintChannel,
  CONTACT_METHODS,
  ContactMethod,
} from '@complaints/domain';

/** Mainland mobile numbers: 11 digits starting with 1. */
export const MSISDN_PATTERN = /^1[3-9]\d{9}$/;
/** Branch codes such as ZG: letters, digits, dash, underscore. */
export const BRANCH_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export class CustomerDto {
  @ApiProperty({ example: '13812345678', description: 'mobile number (MSISDN), 11 digits' })
  @Matches(MSISDN_PATTERN, { message: 'msisdn must be an 11-digit mainland mobile number such as 13812345678' })
  msisdn!: string;

  @ApiPropertyOptional({ example: '张三' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  name?: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  vip?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  groupCustomer?: boolean;

  @ApiPropertyOptional({ enum: ACCOUNT_TYPES, default: 'personal' })
  @IsOptional()
  @IsIn(ACCOUNT_TYPES)
  accountType?: AccountType;
}

export class ContactDto {
  @ApiPropertyOptional({ example: '13812345678' })
  @IsOptional()
  @Matches(/^\+?[0-9-]{5,20}$/, { message: 'phone must be digits, optionally with + and dashes' })
  phone?: string;

  @ApiPropertyOptional({ enum: CONTACT_METHODS })
  @IsOptional()
  @IsIn(CONTACT_METHODS)
  preferredMethod?: ContactMethod;
}

export class RegisterComplaintRequest {
  @ApiProperty({ enum: COMPLAINT_CHANNELS, example: 'business_hall' })
  @IsIn(COMPLAINT_CHANNELS)
  channel!: ComplaintChannel;

  @ApiPropertyOptional({ description: "the source system's reference, e.g. a 10086 ticket number" })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  externalRef?: string;

  @ApiProperty({ type: CustomerDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => CustomerDto)
  customer!: CustomerDto;

  @ApiProperty({ example: 'ZG' })
  @Matches(BRANCH_PATTERN, { message: 'branch must be a branch code: letters, digits, - or _, at most 32' })
  branch!: string;

  @ApiPropertyOptional({ example: 'ZG-01' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  hall?: string;

  @ApiProperty({ enum: COMPLAINT_CATEGORIES })
  @IsIn(COMPLAINT_CATEGORIES)
  category!: ComplaintCategory;

  @ApiPropertyOptional({ example: 'double charge' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  subcategory?: string;

  @ApiProperty({ example: 'Charged twice for the October data package.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  description!: string;

  @ApiPropertyOptional({ type: ContactDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactDto)
  contact?: ContactDto;
}

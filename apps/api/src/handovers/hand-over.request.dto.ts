import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class HandOverRequest {
  @ApiProperty({ example: 'desk-008', description: 'the incoming agent (their token subject)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  toAgent!: string;

  @ApiPropertyOptional({ example: 'Mr Zhang calls back at 9 about the refund.' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  note?: string;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { BRANCH_PATTERN } from '../complaints/dto/register-complaint.request.dto';

export class RefundQueueQuery {
  @ApiPropertyOptional({ enum: ['requested', 'verified'], default: 'requested', description: 'requested: to verify; verified: to execute (in cash after approval)' })
  @IsOptional()
  @IsIn(['requested', 'verified'])
  status?: 'requested' | 'verified';

  @ApiPropertyOptional({ example: 'ZG', description: "the branch; a branch-scoped role's own by default" })
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

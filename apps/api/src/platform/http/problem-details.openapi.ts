import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { statusTitle } from './problem-details';

class FieldErrorSchema {
  @ApiProperty({ example: 'customer.msisdn' })
  field!: string;

  @ApiProperty({ example: 'msisdn must be a string' })
  message!: string;
}

/** The OpenAPI description of {@link ProblemDetails}. */
export class ProblemDetailsSchema {
  @ApiProperty({ example: 'about:blank' })
  type!: string;

  @ApiProperty({ example: 'Conflict' })
  title!: string;

  @ApiProperty({ example: 409 })
  status!: number;

  @ApiProperty({ example: 'work order W1 is already answered' })
  detail!: string;

  @ApiPropertyOptional({ example: '/api/work-orders/W1/reply' })
  instance?: string;

  @ApiPropertyOptional({ example: 'work_order.already_replied', description: 'stable, machine-readable reason' })
  code?: string;

  @ApiPropertyOptional({ type: [FieldErrorSchema], description: 'every offending field of a 400' })
  errors?: FieldErrorSchema[];
}

/**
 * Documents error answers of a route as problem+json:
 * `@ApiProblemResponses(400, 404, 409, 412)`.
 */
export const ApiProblemResponses = (...statuses: number[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiExtraModels(ProblemDetailsSchema, FieldErrorSchema),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: statusTitle(status),
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsSchema) } } },
      }),
    ),
  );

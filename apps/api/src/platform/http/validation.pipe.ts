import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError } from './problem-details';
import { RequestValidationFailed } from './problem.exception';
import { fastTransformerPackage } from './fast-class-transformer';
import { cacheValidationMetadata } from './validation-metadata.cache';

/**
 * Flattens class-validator's tree into one entry per bad field, named by its
 * full path (`customer.msisdn`, `items[0].name`), so a client sees every
 * mistake of a request at once.
 */
export function flattenValidationErrors(errors: readonly ValidationError[], parentPath = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = joinPath(parentPath, error.property);
    // one entry per field: a missing value fails every constraint at once, and one line that says all of it reads better
    const messages = Object.values(error.constraints ?? {});
    const own = messages.length > 0 ? [{ field, message: messages.join('; ') }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

function joinPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent === '' ? property : `${parent}.${property}`;
}

/**
 * The one validation policy of the API: unknown properties are errors (a
 * misspelt optional field must not be silently dropped), payloads become DTO
 * instances, and errors render as problem+json.
 */
export function createValidationPipe(): ValidationPipe {
  cacheValidationMetadata();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // class-transformer's generic walk was a quarter of the pipe's cost per request; see fast-class-transformer.ts
    transformerPackage: fastTransformerPackage,
    // The errors are rendered from property paths and messages only; keeping
    // the request objects in them would just hold memory.
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationFailed(flattenValidationErrors(errors)),
  });
}

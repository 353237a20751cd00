import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';

export const IS_PUBLIC = 'complaints:isPublic';

/**
 * Lets a route be called without a token. Every other route needs one: the
 * guard is global, so a new controller is protected unless a method opts out
 * here. Per method on purpose: opening a whole controller at once is too easy
 * to do by accident. Also clears the document-wide bearer requirement of the
 * route in the OpenAPI document.
 */
export const Public = (): MethodDecorator => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiOperation({ security: [] }));

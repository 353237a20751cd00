import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { Role } from './role';

export const ROLES_KEY = 'complaints:roles';

/**
 * The roles that may call a route (or every route of a controller; a method's
 * list replaces its controller's). Others get 403. No role is implied: list
 * `admin` where an admin may act too.
 */
export const Roles = (...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiForbiddenResponse({ description: `Only for: ${roles.join(', ')}.` }),
  );

import { Controller, ExecutionContext, Post } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Forbidden, Unauthenticated } from '../http/problem.exception';
import { Principal } from './principal';
import { Roles } from './roles.decorator';
import { RolesGuard } from './roles.guard';

@Roles('supervisor')
@Controller()
class ProbeController {
  @Post('approve')
  approve() {}

  @Post('execute')
  @Roles('accounts', 'admin')
  execute() {}
}

@Controller()
class UnrestrictedController {
  @Post('anything')
  anything() {}
}

function httpContext(controller: object, handler: string, principal?: Principal): ExecutionContext {
  return {
    getType: () => 'http',
    getHandler: () => (controller as { prototype: Record<string, unknown> }).prototype[handler],
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => ({ principal }) }),
  } as unknown as ExecutionContext;
}

const as = (role: Principal['role']): Principal => ({ sub: 'someone', role, branch: 'ZG', scopes: [] });

describe('RolesGuard', () => {
  const guard = new RolesGuard(new Reflector());

  it('lets any authenticated role call a route without @Roles', () => {
    expect(guard.canActivate(httpContext(UnrestrictedController, 'anything', as('analyst')))).toBe(true);
  });

  it('applies the controller roles to its routes', () => {
    expect(guard.canActivate(httpContext(ProbeController, 'approve', as('supervisor')))).toBe(true);
    expect(() => guard.canActivate(httpContext(ProbeController, 'approve', as('agent')))).toThrow(
      new Forbidden('the role agent may not do this; allowed: supervisor', 'role_not_allowed'),
    );
  });

  it('lets a route list replace its controller list', () => {
    expect(guard.canActivate(httpContext(ProbeController, 'execute', as('accounts')))).toBe(true);
    expect(guard.canActivate(httpContext(ProbeController, 'execute', as('admin')))).toBe(true);
    expect(() => guard.canActivate(httpContext(ProbeController, 'execute', as('supervisor')))).toThrow(Forbidden);
  });

  it('implies no role, not even admin', () => {
    expect(() => guard.canActivate(httpContext(ProbeController, 'approve', as('admin')))).toThrow(Forbidden);
  });

  it('fails closed without a principal', () => {
    expect(() => guard.canActivate(httpContext(ProbeController, 'approve'))).toThrow(Unauthenticated);
  });
});

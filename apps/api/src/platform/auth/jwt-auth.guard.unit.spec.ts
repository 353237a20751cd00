import { Controller, ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Unauthenticated } from '../http/problem.exception';
import { JwtAuthGuard } from './jwt-auth.guard';
import { Principal } from './principal';
import { Public } from './public.decorator';
import { TokenService } from './token.service';

@Controller()
class ProbeController {
  @Get('open')
  @Public()
  open() {}

  @Get('closed')
  closed() {}
}

function httpContext(handler: keyof ProbeController, headers: Record<string, string>): { context: ExecutionContext; request: { headers: Record<string, string>; principal?: Principal } } {
  const request: { headers: Record<string, string>; principal?: Principal } = { headers };
  const context = {
    getType: () => 'http',
    getHandler: () => ProbeController.prototype[handler],
    getClass: () => ProbeController,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { context, request };
}

describe('JwtAuthGuard', () => {
  const tokens = new TokenService('guard-test-secret');
  const guard = new JwtAuthGuard(new Reflector(), tokens);
  const agentToken = tokens.sign({ sub: 'desk-007', role: 'agent', branch: 'ZG' }, { expiresIn: '1h' });

  it('lets a @Public() route through without a token', () => {
    expect(guard.canActivate(httpContext('open', {}).context)).toBe(true);
  });

  it('puts the verified principal on the request', () => {
    const { context, request } = httpContext('closed', { authorization: `Bearer ${agentToken}` });
    expect(guard.canActivate(context)).toBe(true);
    expect(request.principal).toEqual({ sub: 'desk-007', role: 'agent', branch: 'ZG', scopes: [] });
  });

  it('accepts the scheme in any case', () => {
    expect(guard.canActivate(httpContext('closed', { authorization: `bearer ${agentToken}` }).context)).toBe(true);
  });

  it.each([
    [{}, 'this request needs an Authorization: Bearer <token> header'],
    [{ authorization: '' }, 'this request needs an Authorization: Bearer <token> header'],
    [{ authorization: 'Basic dXNlcjpwdw==' }, 'the Authorization header must be: Bearer <token>'],
    [{ authorization: 'Bearer' }, 'the Authorization header must be: Bearer <token>'],
    [{ authorization: 'Bearer a b' }, 'the Authorization header must be: Bearer <token>'],
    [{ authorization: 'Bearer not-a-jwt' }, 'the token is malformed'],
  ])('refuses %j with 401: %s', (headers, detail) => {
    const { context, request } = httpContext('closed', headers);
    expect(() => guard.canActivate(context)).toThrow(new Unauthenticated(detail));
    expect(request.principal).toBeUndefined();
  });

  it('refuses a token signed with another secret', () => {
    const forged = new TokenService('other').sign({ sub: 'x', role: 'admin' }, { expiresIn: '1h' });
    expect(() => guard.canActivate(httpContext('closed', { authorization: `Bearer ${forged}` }).context)).toThrow(Unauthenticated);
  });

  it('leaves non-HTTP contexts alone', () => {
    expect(guard.canActivate({ getType: () => 'rpc' } as unknown as ExecutionContext)).toBe(true);
  });
});

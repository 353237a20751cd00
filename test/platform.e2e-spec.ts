import { Body, Controller, Get, Module, OnApplicationShutdown, Post } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsOptional, IsString, ValidateNested } from 'class-validator';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CommandRefused, NotFound } from '@complaints/domain/shared/domain-error';
import { createApp } from '../apps/api/src/create-app';
import { CurrentPrincipal, Principal, Roles, TokenService } from '../apps/api/src/platform/auth';
import { loadConfig } from '../apps/api/src/platform/config';
import { PreconditionFailed } from '../apps/api/src/platform/http';
import { createRootLogger, HealthRegistry, MetricsService } from '../apps/api/src/platform/observability';

// Routes that exercise the platform the way feature controllers will.
class CustomerDto {
  @IsString() msisdn!: string;
  @IsOptional() @IsBoolean() vip?: boolean;
}

class ContactDto {
  @IsString() phone!: string;
}

class RegisterProbeDto {
  @IsString() channel!: string;
  @ValidateNested() @Type(() => CustomerDto) customer!: CustomerDto;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => ContactDto) contacts?: ContactDto[];
}

@Controller('api/probe')
class ProbeController {
  @Post()
  register(@Body() body: RegisterProbeDto, @CurrentPrincipal() principal: Principal) {
    return { registeredBy: principal.sub, isDto: body instanceof RegisterProbeDto, customer: body.customer };
  }

  @Roles('supervisor', 'admin')
  @Post('approve')
  approve() {
    return { approved: true };
  }

  @Post('refused')
  refused(): never {
    throw new CommandRefused('work_order.already_replied', 'work order W1 is already answered');
  }

  @Get('missing')
  missing(): never {
    throw new NotFound('complaint.not_found', 'no complaint C9');
  }

  @Post('stale')
  stale(): never {
    throw new PreconditionFailed(7);
  }

  @Get('boom')
  boom(): never {
    throw new Error('SQLITE_CORRUPT at /var/lib/complaints/events.sqlite');
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('the API platform', () => {
  let dataDir: string;
  let app: NestFastifyApplication;
  let baseUrl: string;
  let agentToken: string;
  const logLines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'complaints-platform-'));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'warn' });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    app = await createApp(config, { logger: createRootLogger(config, sink), imports: [ProbeModule] });
    await app.listen(config.port, config.host);
    baseUrl = await app.getUrl();
    agentToken = new TokenService(config.jwtSecret).sign({ sub: 'desk-007', role: 'agent', branch: 'ZG' }, { expiresIn: '5m' });
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    logLines.length = 0;
  });

  const get = (path: string, token?: string) =>
    fetch(`${baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  const post = (path: string, body: string, token: string | undefined = agentToken, contentType = 'application/json') =>
    fetch(`${baseUrl}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType, ...(token && { authorization: `Bearer ${token}` }) },
    });

  async function expectProblem(response: Response, status: number): Promise<Record<string, unknown>> {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'about:blank', status, title: expect.any(String), detail: expect.any(String) });
    return body;
  }

  describe('operations endpoints', () => {
    it('GET /health answers 200 JSON without a token', async () => {
      const response = await get('/health');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ status: 'ok', checks: expect.any(Object) });
    });

    it('GET /health answers 503 when a critical indicator is down, 200 when only degraded', async () => {
      const health = app.get(HealthRegistry);
      health.register('probe-optional', () => ({ status: 'down', detail: 'no broker reachable' }), { critical: false });
      let response = await get('/health');
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'degraded', checks: { 'probe-optional': { status: 'down', detail: 'no broker reachable' } } });

      health.register('probe-critical', () => Promise.reject(new Error('SQLITE_CANTOPEN /secret/path')));
      response = await get('/health');
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'down', checks: { 'probe-critical': { status: 'down', detail: 'the check failed' } } });
    });

    it('GET /metrics exposes the command metrics in Prometheus text format', async () => {
      app.get(MetricsService).recordCommand('RegisterComplaint', 'ok', 0.003);
      const response = await get('/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toContain('complaints_commands_total{command="RegisterComplaint",outcome="ok"} 1');
      expect(text).toContain('# TYPE complaints_command_duration_seconds histogram');
      expect(text).toContain('# TYPE complaints_append_duration_seconds histogram');
      expect(text).toContain('process_cpu_seconds_total');
    });

    it('GET /docs-json is the OpenAPI 3 document, with bearer auth declared', async () => {
      const response = await get('/docs-json');
      expect(response.status).toBe(200);
      const document = (await response.json()) as {
        openapi: string;
        info: { title: string };
        components: { securitySchemes: Record<string, unknown> };
        security: unknown[];
        paths: Record<string, Record<string, { security?: unknown[] }>>;
      };
      expect(document.openapi).toMatch(/^3\./);
      expect(document.info.title).toBe('Complaints and work orders API');
      expect(document.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
      expect(document.security).toEqual([{ bearer: [] }]);
      expect(document.paths['/health'].get.security).toEqual([]);
      expect(document.paths['/api/probe'].post.security).toBeUndefined();
      expect(Object.keys(document.paths).some((p) => p.includes('*'))).toBe(false);
    });

    it('GET /docs answers without a token', async () => {
      const response = await get('/docs');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    });
  });

  describe('authentication', () => {
    it('refuses an /api request without a token with 401 problem+json', async () => {
      const response = await get('/api/anything');
      const problem = await expectProblem(response, 401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(problem).toMatchObject({ title: 'Unauthorized', code: 'unauthenticated', instance: '/api/anything' });
    });

    it('refuses a malformed token with 401', async () => {
      const problem = await expectProblem(await get('/api/anything', 'not-a-jwt'), 401);
      expect(problem.detail).toBe('the token is malformed');
    });

    it('refuses a token signed with another secret with 401', async () => {
      const forged = new TokenService('another-secret').sign({ sub: 'x', role: 'admin' }, { expiresIn: '5m' });
      expect((await expectProblem(await get('/api/probe/missing', forged), 401)).detail).toBe('the token signature is invalid');
    });

    it('answers an unknown /api route with a valid token with 404 problem+json', async () => {
      const problem = await expectProblem(await get('/api/anything', agentToken), 404);
      expect(problem).toMatchObject({ title: 'Not Found', detail: 'Cannot GET /api/anything', code: 'not_found' });
    });

    it('answers an unknown route outside /api with 404 problem+json', async () => {
      await expectProblem(await get('/nowhere'), 404);
    });

    it('hands the verified principal to the route', async () => {
      const response = await post('/api/probe', JSON.stringify({ channel: 'desk', customer: { msisdn: '13800000000' } }));
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ registeredBy: 'desk-007', isDto: true, customer: { msisdn: '13800000000' } });
    });

    it('refuses a role that may not call the route with 403', async () => {
      const problem = await expectProblem(await post('/api/probe/approve', '{}'), 403);
      expect(problem).toMatchObject({ code: 'role_not_allowed', detail: 'the role agent may not do this; allowed: supervisor, admin' });
    });
  });

  describe('errors', () => {
    it('lists every invalid field of the body, nested and unknown ones included', async () => {
      const body = { customer: { msisdn: 13800000000, vip: 'yes', shoeSize: 42 }, contacts: [{ phone: '1' }, {}], extra: true };
      const problem = await expectProblem(await post('/api/probe', JSON.stringify(body)), 400);
      expect(problem.code).toBe('validation_failed');
      expect(problem.errors).toEqual(
        expect.arrayContaining([
          { field: 'channel', message: 'channel must be a string' },
          { field: 'customer.msisdn', message: 'msisdn must be a string' },
          { field: 'customer.vip', message: 'vip must be a boolean value' },
          { field: 'customer.shoeSize', message: 'property shoeSize should not exist' },
          { field: 'contacts[1].phone', message: 'phone must be a string' },
          { field: 'extra', message: 'property extra should not exist' },
        ]),
      );
      expect(problem.errors).toHaveLength(6);
    });

    it('answers malformed JSON with 400', async () => {
      const problem = await expectProblem(await post('/api/probe', '{"channel": '), 400);
      expect(problem.detail).toMatch(/not valid JSON/);
    });

    it('answers an unsupported media type with 415', async () => {
      await expectProblem(await post('/api/probe', '<complaint/>', agentToken, 'application/xml'), 415);
    });

    it('answers a body over 1 MB with 413', async () => {
      await expectProblem(await post('/api/probe', JSON.stringify({ channel: 'x'.repeat(1024 * 1024) })), 413);
    });

    it('maps a domain refusal to 409 with its code and reason', async () => {
      const problem = await expectProblem(await post('/api/probe/refused', '{}'), 409);
      expect(problem).toMatchObject({ title: 'Conflict', detail: 'work order W1 is already answered', code: 'work_order.already_replied' });
    });

    it('maps a domain NotFound to 404', async () => {
      const problem = await expectProblem(await get('/api/probe/missing', agentToken), 404);
      expect(problem).toMatchObject({ detail: 'no complaint C9', code: 'complaint.not_found' });
    });

    it('answers a stale revision with 412, the current revision and its ETag', async () => {
      const response = await post('/api/probe/stale', '{}');
      expect(response.headers.get('etag')).toBe('"7"');
      expect(await expectProblem(response, 412)).toMatchObject({ currentRevision: 7, code: 'precondition_failed' });
    });

    it('answers an unexpected error with a bare 500 and logs it with its stack', async () => {
      const problem = await expectProblem(await get('/api/probe/boom', agentToken), 500);
      expect(JSON.stringify(problem)).not.toContain('SQLITE');
      const logged = logLines.find((line) => line.level === 'error');
      expect(logged).toMatchObject({ path: '/api/probe/boom', status: 500, err: { message: expect.stringContaining('SQLITE_CORRUPT') } });
      expect((logged?.err as { stack: string }).stack).toContain('ProbeController.boom');
    });

    it('logs client errors at warn, and successful requests not at all', async () => {
      await get('/health');
      expect(logLines).toEqual([]);
      await get('/api/anything');
      expect(logLines).toEqual([expect.objectContaining({ level: 'warn', status: 401, path: '/api/anything' })]);
    });
  });
});

describe('graceful shutdown', () => {
  const events: string[] = [];
  let handlerStarted: () => void;
  const started = new Promise<void>((resolve) => (handlerStarted = resolve));

  @Controller('api/slow')
  class SlowController {
    @Get()
    async slow() {
      handlerStarted();
      await new Promise((resolve) => setTimeout(resolve, 200));
      events.push('request finished');
      return { done: true };
    }
  }

  @Module({ controllers: [SlowController] })
  class StoreLikeModule implements OnApplicationShutdown {
    onApplicationShutdown() {
      events.push('store closed');
    }
  }

  it('finishes in-flight requests, refuses new ones, then closes the stores', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'complaints-shutdown-'));
    const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const app = await createApp(config, { imports: [StoreLikeModule] });
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const token = new TokenService(config.jwtSecret).sign({ sub: 'a', role: 'admin' }, { expiresIn: '1m' });

    const inFlight = fetch(`${url}/api/slow`, { headers: { authorization: `Bearer ${token}` } });
    await started;
    const closing = app.close();

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ done: true });
    // The kept-alive connection of the in-flight request must not hold the close up.
    await closing;
    expect(events).toEqual(['request finished', 'store closed']);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    rmSync(dataDir, { recursive: true, force: true });
  });
});

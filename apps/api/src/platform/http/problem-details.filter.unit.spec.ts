import { ArgumentsHost } from '@nestjs/common';
import { CommandRefused } from '@complaints/domain/shared/domain-error';
import pino from 'pino';
import { Writable } from 'node:stream';
import { ProblemDetailsFilter } from './problem-details.filter';
import { PreconditionFailed } from './problem.exception';

class FakeReply {
  sent = false;
  statusCode = 200;
  readonly headerValues: Record<string, string> = {};
  payload?: string;

  status(code: number) {
    this.statusCode = code;
    return this;
  }
  headers(values: Record<string, string>) {
    Object.assign(this.headerValues, values);
    return this;
  }
  header(name: string, value: string) {
    this.headerValues[name] = value;
    return this;
  }
  send(payload: string) {
    this.payload = payload;
    this.sent = true;
    return this;
  }
}

function setup() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const filter = new ProblemDetailsFilter(pino({ level: 'info' }, sink));
  const reply = new FakeReply();
  const request = { id: 'req-1', method: 'POST', url: '/api/complaints/C1/classify?msisdn=13800000000' };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  return { filter, reply, host, lines };
}

describe('ProblemDetailsFilter', () => {
  it('answers with problem+json, the status, headers and the body', () => {
    const { filter, reply, host } = setup();
    filter.catch(new PreconditionFailed(3), host);
    expect(reply.statusCode).toBe(412);
    expect(reply.headerValues).toEqual({ ETag: '"3"', 'content-type': 'application/problem+json; charset=utf-8' });
    expect(JSON.parse(reply.payload!)).toMatchObject({ status: 412, currentRevision: 3, instance: '/api/complaints/C1/classify' });
  });

  it('leaves the query string out of the instance and the log (it may carry personal data)', () => {
    const { filter, reply, host, lines } = setup();
    filter.catch(new CommandRefused('complaint.archived', 'complaint C1 is archived'), host);
    expect(reply.payload).not.toContain('13800000000');
    expect(JSON.stringify(lines)).not.toContain('13800000000');
  });

  it('logs a client error at warn, without a stack', () => {
    const { filter, host, lines } = setup();
    filter.catch(new CommandRefused('complaint.archived', 'complaint C1 is archived'), host);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        component: 'http',
        reqId: 'req-1',
        method: 'POST',
        path: '/api/complaints/C1/classify',
        status: 409,
        code: 'complaint.archived',
        msg: 'POST /api/complaints/C1/classify refused with 409: complaint C1 is archived',
      }),
    ]);
    expect(lines[0]).not.toHaveProperty('err');
  });

  it('logs an unexpected error at error, with its stack, and answers a bare 500', () => {
    const { filter, reply, host, lines } = setup();
    filter.catch(new Error('disk I/O error at /var/lib/complaints'), host);
    expect(reply.statusCode).toBe(500);
    expect(reply.payload).not.toContain('/var/lib');
    expect(lines).toEqual([expect.objectContaining({ level: 50, status: 500, msg: 'POST /api/complaints/C1/classify failed: Error: disk I/O error at /var/lib/complaints' })]);
    expect((lines[0].err as { stack: string }).stack).toContain('problem-details.filter.unit.spec.ts');
  });

  it('does not answer twice when the reply is already sent', () => {
    const { filter, reply, host } = setup();
    reply.sent = true;
    filter.catch(new Error('while streaming'), host);
    expect(reply.payload).toBeUndefined();
  });

  it('rethrows outside HTTP', () => {
    const { filter } = setup();
    const error = new Error('in an event handler');
    expect(() => filter.catch(error, { getType: () => 'rpc' } as unknown as ArgumentsHost)).toThrow(error);
  });
});

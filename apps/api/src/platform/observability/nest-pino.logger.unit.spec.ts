import pino from 'pino';
import { Writable } from 'node:stream';
import { NestPinoLogger } from './nest-pino.logger';

function setup(level = 'debug') {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = new NestPinoLogger(pino({ level, formatters: { level: (label) => ({ level: label }) } }, sink));
  return { logger, lines };
}

describe('NestPinoLogger', () => {
  it('writes messages with their context', () => {
    const { logger, lines } = setup();
    logger.log('projection caught up', 'ComplaintProjection');
    logger.warn('slow append');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', context: 'ComplaintProjection', msg: 'projection caught up' }),
      expect.objectContaining({ level: 'warn', msg: 'slow append' }),
    ]);
  });

  it('keeps the stack Nest passes to error()', () => {
    const { logger, lines } = setup();
    const stack = 'Error: boom\n    at Object.<anonymous> (x.ts:1:1)';
    logger.error('boom', stack, 'ExceptionHandler');
    logger.error('boom', stack);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', msg: 'boom', stack, context: 'ExceptionHandler' }),
      expect.objectContaining({ level: 'error', msg: 'boom', stack }),
    ]);
    expect(lines[1]).not.toHaveProperty('context');
  });

  it('logs an Error object with its stack', () => {
    const { logger, lines } = setup();
    logger.error(new Error('bad wiring'), 'NestFactory');
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'bad wiring', context: 'NestFactory', err: { message: 'bad wiring' } });
  });

  it('demotes Nest start-up narration to debug', () => {
    const { logger, lines } = setup('info');
    logger.log('Mapped {/api/complaints, POST} route', 'RouterExplorer');
    logger.log('ComplaintsModule dependencies initialized', 'InstanceLoader');
    expect(lines).toEqual([]);
  });

  it('maps verbose to trace', () => {
    const { logger, lines } = setup('trace');
    logger.verbose('details');
    expect(lines).toEqual([expect.objectContaining({ level: 'trace', msg: 'details' })]);
  });
});

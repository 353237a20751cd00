import { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's start-up narration (every module loaded, every route mapped) is one
 * line per item; useful when debugging the wiring, noise otherwise.
 */
const CHATTY_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * Nest's LoggerService on top of pino, so that Nest's own messages and
 * `new Logger(Context)` in feature code come out as the same JSON lines.
 *
 * Nest passes the context as the last extra argument (`log(message, context)`,
 * `error(message, stack, context)`).
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const { context } = splitParams(params);
    this.write(context !== undefined && CHATTY_CONTEXTS.has(context) ? 'debug' : 'info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const { context, stack } = splitParams(params);
    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields.context = context;
    if (stack !== undefined) fields.stack = stack;

    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }
}

/** Nest calls `error(message, stack?, context?)` and `log(message, context?)`. */
function splitParams(params: readonly unknown[]): { context?: string; stack?: string } {
  const isStack = (p: unknown): p is string => typeof p === 'string' && /\n\s+at /.test(p);
  const last = params[params.length - 1];
  return {
    context: typeof last === 'string' && !isStack(last) ? last : undefined,
    stack: isStack(params[0]) ? params[0] : undefined,
  };
}

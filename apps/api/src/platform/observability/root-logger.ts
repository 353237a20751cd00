import pino, { DestinationStream, Logger } from 'pino';
import { AppConfig } from '../config/app-config';

/**
 * The process's logger: JSON lines on stdout, level names instead of numbers,
 * ISO times. Bearer tokens are redacted wherever a request's headers end up
 * in a log line.
 */
export function createRootLogger(config: Pick<AppConfig, 'logLevel'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: 'complaints-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: ['headers.authorization', 'req.headers.authorization'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

import { RunnerLogger } from '../runner-logger';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: object;
}

/** A logger that keeps what it is told, for assertions. */
export function recordingLogger(): RunnerLogger & { lines: LogLine[]; messages(level: LogLine['level']): string[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (fields: object, message: string): void => {
      lines.push({ level, message, fields });
    };
  return {
    lines,
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    messages: (level) => lines.filter((line) => line.level === level).map((line) => line.message),
  };
}

/** Polls `condition` until it holds; fails the test after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`the condition did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

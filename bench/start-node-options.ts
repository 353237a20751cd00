import { readFileSync } from 'fs';
import { join, resolve } from 'path';

const ROOT = resolve(__dirname, '..', '..');

/**
 * The Node and V8 options `npm start` gives the server (the `--…` words of
 * package.json's `start` script before its `-r`), so that a benchmark that
 * starts the server in a child process runs it as production does.
 */
export function startNodeOptions(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const words = (pkg.scripts?.start ?? '').split(/\s+/).filter(Boolean);
  if (words[0] !== 'node') throw new Error(`package.json's start script does not begin with node: ${pkg.scripts?.start}`);
  const options: string[] = [];
  for (const word of words.slice(1)) {
    if (!word.startsWith('--')) break;
    options.push(word);
  }
  return options;
}

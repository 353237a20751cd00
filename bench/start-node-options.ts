import { readFileSync } from 'fs';
import { join, resolve } from 'path';

const ROOT = resolve(__dirname, '..', '..');

/**
 * The Node and V8 options an npm script of package.json gives node (the
 * `--…` words after `node`, before its first other argument), so that a
 * benchmark that runs the same work in a child process runs it as the
 * script does: `start` for the server, `projections` for a rebuild.
 */
export function scriptNodeOptions(script: 'start' | 'projections'): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const words = (pkg.scripts?.[script] ?? '').split(/\s+/).filter(Boolean);
  if (words[0] !== 'node') throw new Error(`package.json's ${script} script does not begin with node: ${pkg.scripts?.[script]}`);
  const options: string[] = [];
  for (const word of words.slice(1)) {
    if (!word.startsWith('--')) break;
    options.push(word);
  }
  return options;
}

/** the options of `npm start`: the server's */
export function startNodeOptions(): string[] {
  return scriptNodeOptions('start');
}

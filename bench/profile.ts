import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  /** CLOCK_MONOTONIC, microseconds (process.hrtime of any process on the machine) */
  startTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** hits per node id: all of them, or only the samples taken within `window` (monotonic microseconds) */
function hitsOf(profile: Profile, window: { from: number; to: number } | undefined): Map<number, number> {
  const hits = new Map<number, number>();
  if (!window || !profile.samples || !profile.timeDeltas) {
    for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0);
    return hits;
  }
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas![i] ?? 0;
    if (t >= window.from && t <= window.to) hits.set(id, (hits.get(id) ?? 0) + 1);
  });
  return hits;
}

/** where a frame's code lives: a package of node_modules, node itself, or the project */
function ownerOf(url: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  if (url.startsWith('node:') || url === '') return '(node / native)';
  const dist = /\/dist\/((?:apps|libs)\/[^/]+)/.exec(url);
  return dist ? dist[1] : url;
}

/**
 * The top self-time entries of the .cpuprofile files in `dir` whose names
 * start with `prefix`: first by package, then by function. With `window`
 * (process.hrtime.bigint() / 1000n of the bench process: the same monotonic
 * clock), only the samples taken within it.
 */
export function summariseProfiles(dir: string, prefix: string, top: number, window?: { from: number; to: number }): string[] {
  const files = readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.cpuprofile'));
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    const hitCounts = hitsOf(profile, window);
    for (const node of profile.nodes) {
      const hits = hitCounts.get(node.id) ?? 0;
      if (hits === 0) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
      byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
      const owner = functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)' ? functionName : ownerOf(url);
      byOwner.set(owner, (byOwner.get(owner) ?? 0) + hits);
      total += hits;
    }
  }
  if (total === 0) return [`no samples in ${dir}/${prefix}*.cpuprofile`];
  const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
  const sorted = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    'by package:',
    ...sorted(byOwner).map(([name, hits]) => `  ${pct(hits)}  ${name}`),
    'by function:',
    ...sorted(byFunction).map(([name, hits]) => `  ${pct(hits)}  ${name}`),
  ];
}

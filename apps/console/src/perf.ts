/**
 * Timings the browser tests read (window.__consoleTimings): how long a queue
 * took from its data arriving to being painted. Cheap enough to keep on.
 */
type Timings = Record<string, number>;

declare global {
  interface Window {
    __consoleTimings?: Timings;
  }
}

const started = new Map<string, number>();

export function markDataArrived(name: string): void {
  started.set(name, performance.now());
}

/** call after the render that shows the data; measures until the next frame is painted */
export function markRendered(name: string): void {
  const start = started.get(name);
  if (start === undefined) return;
  started.delete(name);
  requestAnimationFrame(() =>
    setTimeout(() => {
      window.__consoleTimings = { ...window.__consoleTimings, [name]: performance.now() - start };
    }, 0),
  );
}

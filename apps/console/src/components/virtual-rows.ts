import { useEffect, useState } from 'preact/hooks';
import type { RefObject } from 'preact';

/** rows drawn beyond the visible ones, so a quick scroll shows no gap */
const OVERSCAN = 12;

/**
 * Which rows of a long table to put in the DOM: the ones in the scrolling
 * container's view and a few around them. A queue of 1,000 then costs the
 * browser a few dozen rows to lay out instead of a thousand (issue 7 asks for
 * 1,000 items in 200 ms). Rows have one fixed height (CSS: table.virtual).
 */
export function useVisibleRows(container: RefObject<HTMLElement | null>, count: number, rowHeight: number): { start: number; end: number; padTop: number; padBottom: number } {
  const [view, setView] = useState({ top: 0, height: 600 });
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    let frame = 0;
    const update = () => {
      frame = 0;
      setView({ top: element.scrollTop, height: element.clientHeight || 600 });
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(update);
    };
    update();
    element.addEventListener('scroll', onScroll, { passive: true });
    const observer = new ResizeObserver(onScroll);
    observer.observe(element);
    return () => {
      element.removeEventListener('scroll', onScroll);
      observer.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [container.current]);
  const start = Math.max(0, Math.floor(view.top / rowHeight) - OVERSCAN);
  const end = Math.min(count, Math.ceil((view.top + view.height) / rowHeight) + OVERSCAN);
  return { start, end, padTop: start * rowHeight, padBottom: (count - end) * rowHeight };
}

/** Up/Down/Home/End/PageUp/PageDown move the current row; the caller scrolls it into view and focuses its link. */
export function nextRow(key: string, current: number, count: number, page: number): number | undefined {
  switch (key) {
    case 'ArrowDown':
      return Math.min(count - 1, current + 1);
    case 'ArrowUp':
      return Math.max(0, current - 1);
    case 'PageDown':
      return Math.min(count - 1, current + page);
    case 'PageUp':
      return Math.max(0, current - page);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return undefined;
  }
}

import { useEffect, useRef } from 'preact/hooks';

type EChartsOption = Record<string, unknown>;
type Instance = { setOption(option: EChartsOption, notMerge?: boolean): void; resize(): void; dispose(): void; on(event: string, handler: () => void): void };

/**
 * One ECharts chart. The library is fetched the first time a chart is drawn;
 * the container is an image with a label for screen readers, and the figures
 * are also in the tables and tiles around it.
 */
export function Chart({ option, title, height = 200, testId }: { option: EChartsOption; title: string; height?: number; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<Instance | undefined>(undefined);
  // the newest option: ECharts arrives asynchronously, and the data may have changed meanwhile
  const latest = useRef(option);
  latest.current = option;
  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void import('../charts').then(({ init }) => {
      if (disposed || !ref.current) return;
      const instance = init(ref.current) as unknown as Instance;
      chart.current = instance;
      instance.on('finished', () => ref.current?.setAttribute('data-rendered', 'true'));
      instance.setOption(latest.current, true);
      observer = new ResizeObserver(() => instance.resize());
      observer.observe(ref.current);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = undefined;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [JSON.stringify(option)]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={ref} role="img" aria-label={title} style={{ height: `${height}px` }} data-testid={testId} />
    </figure>
  );
}

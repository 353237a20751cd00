import { MetricsService } from './metrics.service';

describe('MetricsService', () => {
  it('counts commands by command and outcome, and times them', async () => {
    const metrics = new MetricsService();
    metrics.recordCommand('DispatchWorkOrder', 'ok', 0.004);
    metrics.recordCommand('DispatchWorkOrder', 'ok', 0.02);
    metrics.recordCommand('DispatchWorkOrder', 'refused', 0.001);

    const text = await metrics.render();
    expect(text).toContain('complaints_commands_total{command="DispatchWorkOrder",outcome="ok"} 2');
    expect(text).toContain('complaints_commands_total{command="DispatchWorkOrder",outcome="refused"} 1');
    expect(text).toContain('complaints_command_duration_seconds_count{command="DispatchWorkOrder"} 3');
    expect(text).toContain('complaints_command_duration_seconds_bucket{le="0.005",command="DispatchWorkOrder"} 2');
  });

  it('times appends', async () => {
    const metrics = new MetricsService();
    metrics.observeAppend(0.0003);
    const text = await metrics.render();
    expect(text).toContain('complaints_append_duration_seconds_bucket{le="0.0005"} 1');
    expect(text).toContain('complaints_append_duration_seconds_count 1');
  });

  it('includes the default process metrics, in the Prometheus text format', async () => {
    const metrics = new MetricsService();
    expect(await metrics.render()).toContain('process_cpu_seconds_total');
    expect(metrics.contentType).toMatch(/^text\/plain/);
  });

  it('keeps instances apart (no global registry)', async () => {
    const a = new MetricsService();
    const b = new MetricsService();
    a.recordCommand('ArchiveComplaint', 'ok', 0.001);
    expect(await b.render()).not.toContain('ArchiveComplaint');
  });
});

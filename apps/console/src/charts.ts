/**
 * ECharts, only the parts the dashboard draws (bar, line, pie on a canvas):
 * imported from echarts/core so the bundle carries no more than that, and
 * loaded on the dashboard only (a dynamic import), never on the desks' pages.
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, DatasetComponent, CanvasRenderer]);

export { init };

import { BarChart, HeatmapChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { EChartsCoreOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useColorScheme } from './color-scheme.js';

// Only what Playlog draws, so the bundle carries no other chart type.
echarts.use([BarChart, HeatmapChart, GridComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

/**
 * An Apache ECharts chart that follows its container's size and the system's light or dark scheme.
 * `label` describes it to screen readers in the page's own words (the canvas says nothing; ECharts' own
 * generated description, a list of raw data points, is left off).
 */
export function Chart({ option, label, height = 280, testId }: { option: EChartsCoreOption; label: string; height?: number; testId?: string }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const scheme = useColorScheme();

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const instance = echarts.init(element, scheme === 'dark' ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = instance;
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [scheme]);

  useEffect(() => {
    chart.current?.setOption({ backgroundColor: 'transparent', ...option }, true);
  }, [option, scheme]);

  return <div ref={container} className="chart" style={{ height }} role="img" aria-label={label} data-testid={testId} />;
}

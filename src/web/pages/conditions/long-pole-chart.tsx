/**
 * The long-pole ranking as a horizontal bar chart. ECharts is loaded only with this
 * module, which the conditions page imports lazily.
 */
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export interface Bar {
  label: string;
  value: number;
  /** The value as shown to people, exact. */
  shown: string;
}

interface Props {
  bars: Bar[];
  rtl: boolean;
  label: string;
}

export default function LongPoleChart({ bars, rtl, label }: Props) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!element.current) return;
    const instance = echarts.init(element.current);
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    // Largest first from the top: ECharts draws the first category at the bottom.
    const ordered = [...bars].reverse();
    chart.current?.setOption(
      {
        animation: false,
        // Room beside the bars for the value labels, which containLabel does not count.
        grid: { left: rtl ? 130 : 8, right: rtl ? 8 : 130, top: 8, bottom: 8, containLabel: true },
        tooltip: {
          trigger: 'item',
          formatter: (p: { dataIndex: number }) => `${ordered[p.dataIndex]?.label}: ${ordered[p.dataIndex]?.shown}`,
        },
        xAxis: { type: 'value', inverse: rtl, axisLabel: { show: false }, splitLine: { show: false } },
        yAxis: {
          type: 'category',
          position: rtl ? 'right' : 'left',
          data: ordered.map((b) => b.label),
          axisLabel: { width: 220, overflow: 'truncate' },
        },
        series: [
          {
            type: 'bar',
            data: ordered.map((b) => b.value),
            itemStyle: { color: '#1c7ed6' },
            label: {
              show: true,
              position: rtl ? 'left' : 'right',
              formatter: (p: { dataIndex: number }) => ordered[p.dataIndex]?.shown ?? '',
            },
          },
        ],
      },
      true,
    );
  }, [bars, rtl]);

  return <div ref={element} role="img" aria-label={label} style={{ width: '100%', height: Math.max(120, bars.length * 36 + 24) }} />;
}

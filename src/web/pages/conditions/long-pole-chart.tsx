/**
 * The long-pole ranking as a horizontal bar chart: for each condition, what it holds back
 * together with others, with what it holds back alone drawn over it in a darker shade (the
 * second is never more than the first). ECharts is loaded only with this module, which
 * the conditions page imports lazily.
 */
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, useState } from 'react';
import { BAR_COLORS } from './long-pole-colors';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export interface Bar {
  label: string;
  withOthers: number;
  alone: number;
  /** The values as shown to people, exact. */
  shownWithOthers: string;
  shownAlone: string;
}

interface Props {
  bars: Bar[];
  rtl: boolean;
  label: string;
  /** The names of the two measures, for the tooltip. */
  names: { withOthers: string; alone: string };
}

export default function LongPoleChart({ bars, rtl, label, names }: Props) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    if (!element.current) return;
    const instance = echarts.init(element.current);
    chart.current = instance;
    const observer = new ResizeObserver(() => {
      instance.resize();
      setWidth(element.current?.clientWidth ?? 0);
    });
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
    const tooltip = (p: { dataIndex: number }) => {
      const bar = ordered[p.dataIndex];
      return bar ? `${bar.label}<br/>${names.withOthers}: ${bar.shownWithOthers}<br/>${names.alone}: ${bar.shownAlone}` : '';
    };
    // On a phone the names take a third of the width and the values stay in the table below.
    const narrow = width > 0 && width < 560;
    const room = narrow ? 8 : 130;
    chart.current?.setOption(
      {
        animation: false,
        // Room beside the bars for the value labels, which containLabel does not count.
        grid: { left: rtl ? room : 8, right: rtl ? 8 : room, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: 'item', formatter: tooltip },
        xAxis: { type: 'value', inverse: rtl, axisLabel: { show: false }, splitLine: { show: false } },
        yAxis: {
          type: 'category',
          position: rtl ? 'right' : 'left',
          data: ordered.map((b) => b.label),
          axisLabel: { width: narrow ? Math.round(width / 3) : 220, overflow: 'truncate' },
        },
        series: [
          {
            type: 'bar',
            data: ordered.map((b) => b.withOthers),
            itemStyle: { color: BAR_COLORS.withOthers },
            barGap: '-100%',
            label: {
              show: !narrow,
              position: rtl ? 'left' : 'right',
              formatter: (p: { dataIndex: number }) => ordered[p.dataIndex]?.shownWithOthers ?? '',
            },
          },
          // Drawn over the first: the part of each bar that the condition holds back alone.
          { type: 'bar', data: ordered.map((b) => b.alone), itemStyle: { color: BAR_COLORS.alone }, barGap: '-100%' },
        ],
      },
      true,
    );
  }, [bars, rtl, names, width]);

  return <div ref={element} role="img" aria-label={label} style={{ width: '100%', height: Math.max(120, bars.length * 36 + 24) }} />;
}

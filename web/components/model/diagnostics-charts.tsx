'use client';

import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { AXIS_TICK, COLORS, SERIES, X_AXIS } from '@/components/charts/theme';
import styles from '@/components/charts/charts.module.css';
import own from './diagnostics.module.css';

export interface XYSeries {
  label: string;
  points: { x: number; y: number }[];
}

const short = (v: number) => String(Number(v.toPrecision(3)));
const UNIT = [0, 0.25, 0.5, 0.75, 1];

/**
 * Curves on the unit square (ROC, precision–recall, calibration): each series its own points,
 * with an optional dashed diagonal (chance for ROC, perfect calibration for reliability).
 */
export function UnitCurveChart(props: {
  series: XYSeries[];
  xLabel: string;
  yLabel: string;
  diagonal?: 'rising' | 'none';
  height?: number;
  testId?: string;
}) {
  return (
    <div
      className={styles.frame}
      data-testid={props.testId}
      data-points={props.series.reduce((a, s) => a + s.points.length, 0)}
    >
      <ComposedChart
        responsive
        style={{ width: '100%', height: props.height ?? 240 }}
        margin={{ top: 8, right: 18, bottom: 0, left: 0 }}
      >
        <CartesianGrid stroke={COLORS.grid} />
        <XAxis
          type="number"
          dataKey="x"
          domain={[0, 1]}
          ticks={UNIT}
          tickFormatter={short}
          {...X_AXIS}
        />
        <YAxis
          type="number"
          dataKey="y"
          domain={[0, 1]}
          ticks={UNIT}
          tickFormatter={short}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          width={44}
        />
        <Tooltip
          contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: '#e4e7ec' }}
          labelFormatter={(x) => `${props.xLabel} ${short(Number(x))}`}
          formatter={(v, name) => [short(Number(v)), name]}
        />
        {props.series.length > 1 && (
          <Legend
            verticalAlign="top"
            iconType="plainline"
            iconSize={14}
            wrapperStyle={{ fontSize: 12 }}
          />
        )}
        {props.diagonal === 'rising' && (
          <ReferenceLine
            segment={[
              { x: 0, y: 0 },
              { x: 1, y: 1 },
            ]}
            stroke={COLORS.reference}
            strokeDasharray="4 3"
          />
        )}
        {props.series.map((s, i) => (
          <Line
            key={s.label}
            data={s.points}
            dataKey="y"
            name={s.label}
            type="linear"
            stroke={SERIES[i % SERIES.length]}
            strokeWidth={1.6}
            dot={s.points.length <= 20 ? { r: 2.5 } : false}
            isAnimationActive={false}
          />
        ))}
      </ComposedChart>
      <p className={own.axisNote}>
        x: {props.xLabel} · y: {props.yLabel}
      </p>
    </div>
  );
}

/** A histogram of counts over numeric bins (residuals), labelled by each bin's range. */
export function CountHistogram(props: {
  edges: number[];
  counts: number[];
  height?: number;
  testId?: string;
}) {
  const bins = props.counts.map((n, i) => ({
    label: `${short(props.edges[i]!)} – ${short(props.edges[i + 1]!)}`,
    mid: short((props.edges[i]! + props.edges[i + 1]!) / 2),
    n,
  }));
  return (
    <div className={styles.frame} data-testid={props.testId} data-bins={bins.length}>
      <BarChart
        responsive
        style={{ width: '100%', height: props.height ?? 240 }}
        data={bins}
        barCategoryGap="8%"
        margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
      >
        <CartesianGrid stroke={COLORS.grid} vertical={false} />
        <XAxis dataKey="mid" {...X_AXIS} interval="preserveStartEnd" minTickGap={16} />
        <YAxis
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          width={44}
          allowDecimals={false}
        />
        <Tooltip
          contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: '#e4e7ec' }}
          labelFormatter={(_, payload) => String(payload?.[0]?.payload?.label ?? '')}
          formatter={(v) => [Number(v).toLocaleString('en-US'), 'rows']}
        />
        <Bar dataKey="n" fill={COLORS.current} isAnimationActive={false} />
      </BarChart>
    </div>
  );
}

'use client';

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { truncate } from '@/components/ui/text';
import { AXIS_TICK, COLORS, X_AXIS } from './theme';
import styles from './charts.module.css';

export interface HistogramBar {
  label: string;
  reference_share: number;
  current_share: number;
  reference: number;
  current: number;
}

const pct = (v: number) => `${Number((v * 100).toFixed(1))}%`;

/** Characters of a bin's label under its bar; the whole label shows on hover. */
const LABEL_CHARS = 16;

/** A category axis label, cut short (categories run to 1,024 characters), whole in its title. */
function BinTick(props: {
  x?: number | string;
  y?: number | string;
  payload?: { value?: unknown };
}) {
  const label = String(props.payload?.value ?? '');
  return (
    <text
      x={props.x}
      y={props.y}
      dy={12}
      textAnchor="middle"
      {...AXIS_TICK}
      data-testid="bin-label"
    >
      <title>{label}</title>
      {truncate(label, LABEL_CHARS)}
    </text>
  );
}

/**
 * Reference and current distributions side by side, as shares of each side (the two sides have
 * different sizes); the tooltip also gives the counts.
 */
export function HistogramChart(props: { bins: HistogramBar[]; height?: number; testId?: string }) {
  // Round ticks: steps of 5% (10% above a half), up to the tallest bar.
  const max = Math.max(0.01, ...props.bins.flatMap((b) => [b.reference_share, b.current_share]));
  const step = max > 0.5 ? 0.1 : max > 0.2 ? 0.05 : max > 0.08 ? 0.02 : 0.01;
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  return (
    <div className={styles.frame} data-testid={props.testId} data-bins={props.bins.length}>
      <BarChart
        responsive
        style={{ width: '100%', height: props.height ?? 240 }}
        data={props.bins}
        barGap={1}
        barCategoryGap="12%"
        margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
      >
        <CartesianGrid stroke={COLORS.grid} vertical={false} />
        <XAxis
          dataKey="label"
          {...X_AXIS}
          tick={(tick: Parameters<typeof BinTick>[0]) => <BinTick {...tick} />}
          // Spacing is measured on the formatted text: the cut label, not the whole category.
          tickFormatter={(v: unknown) => truncate(String(v), LABEL_CHARS)}
          interval="preserveStartEnd"
          minTickGap={8}
        />
        <YAxis
          tickFormatter={pct}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          width={44}
          domain={[0, top]}
          ticks={ticks}
        />
        <Tooltip
          contentStyle={{
            fontSize: 12,
            borderRadius: 6,
            borderColor: '#e4e7ec',
            maxWidth: 360,
            whiteSpace: 'normal',
            overflowWrap: 'anywhere',
          }}
          itemSorter={(item) => (item.dataKey === 'reference_share' ? 0 : 1)}
          formatter={(v, name, item) => {
            const bin = item.payload as HistogramBar;
            const n = name === 'Reference' ? bin.reference : bin.current;
            return [`${pct(Number(v))} (${n.toLocaleString('en-US')})`, name];
          }}
        />
        <Legend iconType="square" iconSize={10} itemSorter={null} wrapperStyle={{ fontSize: 12 }} />
        <Bar
          dataKey="reference_share"
          name="Reference"
          fill={COLORS.reference}
          isAnimationActive={false}
        />
        <Bar
          dataKey="current_share"
          name="Current window"
          fill={COLORS.current}
          isAnimationActive={false}
        />
      </BarChart>
    </div>
  );
}

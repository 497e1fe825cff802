'use client';

import {
  Area,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { AXIS_TICK, COLORS, X_AXIS } from './theme';
import { curveType, partialKey, splitPartial, yTicks } from './time-chart-data';
import styles from './charts.module.css';

export interface TimeSeries {
  key: string;
  label: string;
  color: string;
  /** Areas for volumes, lines for levels. */
  kind?: 'line' | 'area';
  dashed?: boolean;
  /** A lighter, thinner line for a noisy series drawn over steadier ones (p99). */
  faint?: boolean;
}

type Row = { t: string };

/** Value formats by name: server components cannot hand functions to a client chart. */
export type ValueFormat = 'count' | 'ms' | 'percent' | 'statistic' | 'number';

const FORMATS: Record<ValueFormat, (v: number) => string> = {
  count: (v) =>
    new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(v),
  ms: (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Number(v.toPrecision(3))} ms`),
  percent: (v) => `${Number((v * 100).toPrecision(3))}%`,
  statistic: (v) =>
    v !== 0 && Math.abs(v) < 1e-4 ? v.toExponential(1) : String(Number(v.toPrecision(3))),
  number: (v) =>
    Math.abs(v) >= 1000
      ? v.toLocaleString('en-US', { maximumFractionDigits: 1 })
      : String(Number(v.toPrecision(4))),
};

const spansDays = (rows: Row[]) =>
  rows.length > 1 && Date.parse(rows.at(-1)!.t) - Date.parse(rows[0]!.t) > 86_400_000;

/**
 * A time chart of one or more series over a shared UTC time axis, with a hover tooltip and an
 * optional horizontal threshold line. `format` names how values read (axis and tooltip).
 */
export function TimeChart(props: {
  data: Row[];
  series: TimeSeries[];
  format: ValueFormat;
  height?: number;
  threshold?: { value: number; label: string };
  yDomain?: [number | 'auto', number | 'auto'];
  legend?: boolean;
  syncId?: string;
  testId?: string;
  /** Data is complete up to this time (ms): a last bucket ending later is drawn dashed, as partial. */
  completeUntil?: number;
}) {
  const days = spansDays(props.data);
  const format = FORMATS[props.format];
  const keys = props.series.map((s) => s.key);
  const { rows, partial } = splitPartial(props.data, keys, props.completeUntil);
  const domain = props.yDomain ?? [0, 'auto'];
  const ticks = yTicks(
    props.data.flatMap((r) =>
      keys.flatMap((k) => {
        const v = (r as Record<string, unknown>)[k];
        return typeof v === 'number' ? [v] : [];
      }),
    ),
    domain,
    props.threshold?.value,
  );
  const tick = (t: string) => {
    const iso = String(t);
    return days ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
  };
  const present = (key: string) =>
    props.data.filter((r) => (r as Record<string, unknown>)[key] != null).length;
  const empty = props.series.every((s) => present(s.key) === 0);
  // A series with one or two values draws no visible line: mark its points.
  const dots = (key: string) => (props.data.length < 30 || present(key) < 3 ? { r: 2.5 } : false);
  return (
    <div
      className={styles.frame}
      data-testid={props.testId}
      data-points={props.data.length}
      data-partial={partial.length > 0 ? 'true' : undefined}
    >
      {empty && <div className={styles.noData}>No data in this range</div>}
      <ComposedChart
        responsive
        style={{ width: '100%', height: props.height ?? 200 }}
        data={rows}
        syncId={props.syncId}
        margin={{ top: 8, right: 18, bottom: 0, left: 0 }}
      >
        <CartesianGrid stroke={COLORS.grid} vertical={false} />
        <XAxis dataKey="t" tickFormatter={tick} {...X_AXIS} minTickGap={36} />
        <YAxis
          tickFormatter={(v: number) => format(v)}
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          width={58}
          domain={ticks.length > 1 ? [ticks[0]!, ticks.at(-1)!] : domain}
          ticks={ticks.length > 1 ? ticks : undefined}
          allowDataOverflow={false}
        />
        <Tooltip
          contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: '#e4e7ec' }}
          labelFormatter={(t) => `${String(t).slice(0, 16).replace('T', ' ')} UTC`}
          formatter={(v, name, item) => {
            if (v != null) return [format(Number(v)), name];
            // The partial bucket: its value from the dashed segment, marked as such.
            const rest = (item.payload as Record<string, unknown>)[
              partialKey(String(item.dataKey))
            ];
            return [rest == null ? '—' : `${format(Number(rest))} (so far)`, name];
          }}
        />
        {(props.legend ?? props.series.length > 1) && (
          <Legend iconType="plainline" iconSize={14} wrapperStyle={{ fontSize: 12 }} />
        )}
        {props.threshold && (
          <ReferenceLine
            y={props.threshold.value}
            stroke={COLORS.threshold}
            strokeDasharray="4 3"
            label={{
              value: props.threshold.label,
              position: 'insideTopRight',
              fontSize: 11,
              fill: '#b54708',
            }}
          />
        )}
        {props.series.map((s) =>
          s.kind === 'area' ? (
            <Area
              key={s.key}
              type={curveType(present(s.key))}
              dataKey={s.key}
              name={s.label}
              stroke={s.color}
              strokeWidth={1.5}
              fill={s.color}
              fillOpacity={0.14}
              dot={dots(s.key)}
              isAnimationActive={false}
              connectNulls={false}
            />
          ) : (
            <Line
              key={s.key}
              type={curveType(present(s.key))}
              dataKey={s.key}
              name={s.label}
              stroke={s.color}
              strokeWidth={s.faint ? 1.1 : 1.6}
              strokeOpacity={s.faint ? 0.6 : 1}
              strokeDasharray={s.dashed ? '4 3' : undefined}
              dot={dots(s.key)}
              isAnimationActive={false}
              connectNulls={false}
            />
          ),
        )}
        {props.series
          .filter((s) => partial.includes(s.key))
          .map((s) => (
            <Line
              key={partialKey(s.key)}
              className="partial-bucket"
              type="linear"
              dataKey={partialKey(s.key)}
              name={`${s.label} (partial)`}
              stroke={s.color}
              strokeWidth={1.4}
              strokeOpacity={0.8}
              strokeDasharray="3 3"
              dot={false}
              activeDot={false}
              legendType="none"
              tooltipType="none"
              isAnimationActive={false}
              connectNulls={false}
            />
          ))}
      </ComposedChart>
    </div>
  );
}

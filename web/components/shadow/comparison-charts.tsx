'use client';

/**
 * The run's comparison charts, with Recharts like every dashboard chart (React SVG components,
 * safe in client components under SSR; scatter and bars without a hand-written chart engine).
 */
import {
  Bar,
  BarChart,
  CartesianGrid,
  ReferenceLine,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { AXIS_TICK, COLORS, X_AXIS } from '@/components/charts/theme';
import { number } from '@/lib/actions/format';
import { niceTicks } from '@/lib/actions/ticks';

const TOOLTIP = { fontSize: 12, borderRadius: 6, borderColor: '#e4e7ec' };

/** Candidate against production on a sample of events; points on the diagonal agree. */
export function OutputScatter(props: {
  points: { production: number; candidate: number }[];
  candidate: string;
}) {
  const all = props.points.flatMap((p) => [p.production, p.candidate]);
  const ticks = niceTicks(Math.min(...all), Math.max(...all));
  const domain: [number, number] = [ticks[0]!, ticks.at(-1)!];
  const axis = {
    type: 'number' as const,
    domain,
    ticks,
    tick: AXIS_TICK,
    tickLine: false,
    axisLine: { stroke: COLORS.grid },
    tickFormatter: (v: number) => number(v, 3),
  };
  return (
    <div data-testid="scatter">
      <ScatterChart
        responsive
        style={{ width: '100%', height: 300 }}
        margin={{ top: 8, right: 16, bottom: 18, left: 0 }}
      >
        <CartesianGrid stroke={COLORS.grid} />
        <XAxis
          {...axis}
          dataKey="production"
          name="production"
          label={{
            value: 'production (logged)',
            position: 'insideBottom',
            offset: -10,
            ...AXIS_TICK,
          }}
        />
        <YAxis {...axis} dataKey="candidate" name={props.candidate} width={64} />
        <ReferenceLine
          segment={[
            { x: domain[0], y: domain[0] },
            { x: domain[1], y: domain[1] },
          ]}
          stroke={COLORS.axis}
          strokeDasharray="4 4"
        />
        <Tooltip
          cursor={{ strokeDasharray: '3 3' }}
          contentStyle={TOOLTIP}
          formatter={(v) => number(Number(v), 5)}
          isAnimationActive={false}
        />
        <Scatter
          data={props.points}
          fill={COLORS.current}
          fillOpacity={0.4}
          isAnimationActive={false}
        />
      </ScatterChart>
    </div>
  );
}

/** How far the candidate lands from production: candidate − production, binned. */
export function DifferenceHistogram(props: {
  bins: { from: number; to: number; count: number }[];
}) {
  const lo = props.bins[0]?.from ?? 0;
  const hi = props.bins.at(-1)?.to ?? 0;
  const ticks = niceTicks(lo, hi, 6);
  // A bin is labelled with the round value it holds, so the axis reads in round steps.
  const data = props.bins.map((b) => {
    const tick = ticks.find((t) => t >= b.from && t < b.to);
    return {
      label: tick === undefined ? '' : number(tick, 3),
      range: `${number(b.from, 4)} … ${number(b.to, 4)}`,
      count: b.count,
    };
  });
  return (
    <div data-testid="diff-histogram">
      <BarChart
        responsive
        style={{ width: '100%', height: 300 }}
        data={data}
        margin={{ top: 8, right: 16, bottom: 18, left: 0 }}
        barCategoryGap={1}
      >
        <CartesianGrid stroke={COLORS.grid} vertical={false} />
        <XAxis
          {...X_AXIS}
          dataKey="label"
          interval={0}
          label={{
            value: 'candidate − production',
            position: 'insideBottom',
            offset: -10,
            ...AXIS_TICK,
          }}
        />
        <YAxis
          tick={AXIS_TICK}
          tickLine={false}
          axisLine={false}
          width={48}
          allowDecimals={false}
        />
        <Tooltip
          contentStyle={TOOLTIP}
          isAnimationActive={false}
          labelFormatter={(_l, payload) =>
            (payload?.[0]?.payload as { range?: string } | undefined)?.range ?? ''
          }
          formatter={(v) => [number(Number(v)), 'events']}
        />
        <Bar dataKey="count" fill={COLORS.p95} isAnimationActive={false} />
      </BarChart>
    </div>
  );
}

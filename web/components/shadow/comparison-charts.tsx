'use client';

/**
 * Charts with Recharts (the dashboard's one chart library: React SVG components, safe in client
 * components under SSR, covers scatter and bar charts without a hand-written chart engine).
 */
import {
  Bar,
  BarChart,
  CartesianGrid,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { number } from '@/lib/actions/format';

const AXIS = { fontSize: 11, fill: '#667085' };

/** Candidate against production on a sample of events; points on the diagonal agree. */
export function OutputScatter(props: {
  points: { production: number; candidate: number }[];
  candidate: string;
}) {
  const all = props.points.flatMap((p) => [p.production, p.candidate]);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = (hi - lo) * 0.04 || 1;
  const domain: [number, number] = [lo - pad, hi + pad];
  return (
    <div data-testid="scatter" style={{ width: '100%', height: 300 }}>
      <ResponsiveContainer width="100%" height="100%">
        <ScatterChart margin={{ top: 8, right: 16, bottom: 24, left: 8 }}>
          <CartesianGrid stroke="#eaecf0" />
          <XAxis
            type="number"
            dataKey="production"
            name="production"
            domain={domain}
            tick={AXIS}
            tickFormatter={(v: number) => number(v, 3)}
            label={{ value: 'production output', position: 'insideBottom', offset: -12, ...AXIS }}
          />
          <YAxis
            type="number"
            dataKey="candidate"
            name={props.candidate}
            domain={domain}
            tick={AXIS}
            width={64}
            tickFormatter={(v: number) => number(v, 3)}
          />
          <ReferenceLine
            segment={[
              { x: domain[0], y: domain[0] },
              { x: domain[1], y: domain[1] },
            ]}
            stroke="#98a2b3"
            strokeDasharray="4 4"
            ifOverflow="hidden"
          />
          <Tooltip
            cursor={{ strokeDasharray: '3 3' }}
            formatter={(v) => number(Number(v), 5)}
            isAnimationActive={false}
          />
          <Scatter
            data={props.points}
            fill="#2e90fa"
            fillOpacity={0.45}
            isAnimationActive={false}
          />
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}

/** How far the candidate lands from production: candidate − production, binned. */
export function DifferenceHistogram(props: {
  bins: { from: number; to: number; count: number }[];
}) {
  const data = props.bins.map((b) => ({
    label: number((b.from + b.to) / 2, 3),
    range: `${number(b.from, 4)} … ${number(b.to, 4)}`,
    count: b.count,
  }));
  return (
    <div data-testid="diff-histogram" style={{ width: '100%', height: 300 }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart
          data={data}
          margin={{ top: 8, right: 16, bottom: 24, left: 8 }}
          barCategoryGap={1}
        >
          <CartesianGrid stroke="#eaecf0" vertical={false} />
          <XAxis
            dataKey="label"
            tick={AXIS}
            interval="preserveStartEnd"
            minTickGap={24}
            label={{
              value: 'candidate − production',
              position: 'insideBottom',
              offset: -12,
              ...AXIS,
            }}
          />
          <YAxis tick={AXIS} width={48} allowDecimals={false} />
          <Tooltip
            isAnimationActive={false}
            labelFormatter={(_l, payload) =>
              (payload?.[0]?.payload as { range?: string } | undefined)?.range ?? ''
            }
            formatter={(v) => [number(Number(v)), 'events']}
          />
          <Bar dataKey="count" fill="#7a5af8" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

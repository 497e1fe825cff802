'use client';

// Charts use Recharts: React-native SVG components, safe to server-render inside client
// components, the most used React chart library, and it covers line, area, bar and scatter
// charts. The drift heatmap is a CSS grid of cells (components/model/drift-heatmap.tsx), not a
// chart engine.
import { Area, AreaChart, Tooltip, YAxis } from 'recharts';
import { COLORS } from './theme';

/** A small traffic curve for a table row; hovering shows the bucket's count. */
export function Sparkline(props: {
  data: { t: string; count: number }[];
  width?: number;
  height?: number;
  color?: string;
}) {
  const color = props.color ?? COLORS.traffic;
  return (
    <AreaChart
      width={props.width ?? 140}
      height={props.height ?? 32}
      data={props.data}
      margin={{ top: 2, right: 0, bottom: 0, left: 0 }}
    >
      <YAxis hide domain={[0, 'dataMax']} />
      <Tooltip
        cursor={{ stroke: '#d0d5dd' }}
        wrapperStyle={{ zIndex: 30 }}
        contentStyle={{ fontSize: 11, padding: '2px 6px' }}
        labelFormatter={(_, items) => {
          const t = items?.[0]?.payload?.t as string | undefined;
          return t ? `${t.slice(5, 10)} ${t.slice(11, 16)} UTC` : '';
        }}
        formatter={(v) => [Number(v).toLocaleString('en-US'), 'predictions']}
      />
      <Area
        type="monotone"
        dataKey="count"
        stroke={color}
        strokeWidth={1.5}
        fill={color}
        fillOpacity={0.12}
        isAnimationActive={false}
        dot={false}
      />
    </AreaChart>
  );
}

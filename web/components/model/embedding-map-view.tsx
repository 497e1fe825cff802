'use client';

import { useState } from 'react';
import {
  CartesianGrid,
  ReferenceArea,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { EmbeddingMap, NearestExamples } from '@osprey/detectors';
import { AXIS_TICK, COLORS } from '@/components/charts/theme';
import { niceTicks } from '@/lib/actions/ticks';
import styles from './model.module.css';
import e from './embeddings.module.css';

const OVER = '#f59e0b';
const UNDER = '#a78bfa';
const fixed = (v: number, digits = 3) => Number(v.toPrecision(digits)).toString();

/**
 * The embedding map: the reference's points (grey) and the window's (blue) on the reference's
 * principal plane, over the grid cells where the window crowds the reference's regions (amber) or
 * left them (grey). Clicking a window point lists its nearest logged examples with their texts.
 */
export function EmbeddingMapView({ map, range }: { map: EmbeddingMap; range: string }) {
  const [selected, setSelected] = useState<string | null>(null);
  const [examples, setExamples] = useState<NearestExamples | null>(null);
  const [error, setError] = useState<string | null>(null);
  const extent = map.extent!;
  const width = (extent.x[1] - extent.x[0]) / map.grid;
  const height = (extent.y[1] - extent.y[0]) / map.grid;

  async function pick(eventId: string) {
    setSelected(eventId);
    setError(null);
    const url = `/api/v1/models/${encodeURIComponent(map.model)}/embeddings/${encodeURIComponent(map.name)}/neighbors?${range}&event_id=${eventId}`;
    const res = await fetch(url, { cache: 'no-store' });
    if (!res.ok) {
      setExamples(null);
      setError(((await res.json()) as { error?: string }).error ?? `HTTP ${res.status}`);
      return;
    }
    setExamples((await res.json()) as NearestExamples);
  }

  const reference = map.points.reference.map(([x, y]) => ({ x, y }));
  const axis = {
    type: 'number' as const,
    tick: AXIS_TICK,
    tickLine: false,
    axisLine: { stroke: COLORS.grid },
    tickFormatter: (v: number) => fixed(v, 2),
  };
  const xTicks = niceTicks(extent.x[0], extent.x[1], 6);
  const yTicks = niceTicks(extent.y[0], extent.y[1], 5);
  return (
    <div className={e.layout}>
      <div
        data-testid="embedding-map"
        data-over={map.cells.filter((c) => c.region === 'over').length}
      >
        <ScatterChart
          responsive
          style={{ width: '100%', height: 420 }}
          margin={{ top: 8, right: 16, bottom: 8, left: 0 }}
        >
          <CartesianGrid stroke={COLORS.grid} />
          <XAxis
            {...axis}
            dataKey="x"
            name="PC 1"
            domain={[xTicks[0]!, xTicks.at(-1)!]}
            ticks={xTicks}
          />
          <YAxis
            {...axis}
            dataKey="y"
            name="PC 2"
            domain={[yTicks[0]!, yTicks.at(-1)!]}
            ticks={yTicks}
            width={52}
          />
          {map.cells
            .filter((c) => c.region !== null)
            .map((c) => (
              <ReferenceArea
                key={`${c.i}-${c.j}`}
                x1={extent.x[0] + c.i * width}
                x2={extent.x[0] + (c.i + 1) * width}
                y1={extent.y[0] + c.j * height}
                y2={extent.y[0] + (c.j + 1) * height}
                fill={c.region === 'over' ? OVER : UNDER}
                fillOpacity={Math.min(0.55, 0.12 - Math.log10(Math.max(c.p_value, 1e-30)) / 40)}
                stroke="none"
                ifOverflow="hidden"
              />
            ))}
          <Tooltip
            cursor={{ strokeDasharray: '3 3' }}
            contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: '#e4e7ec' }}
            formatter={(v) => fixed(Number(v))}
            isAnimationActive={false}
          />
          <Scatter
            name="reference"
            data={reference}
            fill={COLORS.reference}
            fillOpacity={0.35}
            shape="circle"
            isAnimationActive={false}
          />
          <Scatter
            name="window"
            data={map.points.window}
            fill={COLORS.current}
            fillOpacity={0.55}
            shape="circle"
            isAnimationActive={false}
            cursor="pointer"
            onClick={(p) => void pick((p as unknown as { event_id: string }).event_id)}
          />
        </ScatterChart>
        <p className={e.legend}>
          <span>
            <i className={e.swatch} style={{ background: COLORS.reference }} /> reference
          </span>
          <span>
            <i className={e.swatch} style={{ background: COLORS.current }} /> this range (click a
            point)
          </span>
          <span>
            <i className={e.swatch} style={{ background: OVER }} /> more of this range than the
            reference predicts
          </span>
          <span>
            <i className={e.swatch} style={{ background: UNDER }} /> fewer
          </span>
          <span>
            {map.grid} × {map.grid} cells on the reference&apos;s first two principal components
          </span>
        </p>
      </div>
      <div className={e.examples} data-testid="nearest-examples">
        {error ? (
          <p className={styles.hint}>{error}</p>
        ) : !examples || !selected ? (
          <p className={styles.hint}>
            Click a point of this range to see it and its nearest logged inputs.
          </p>
        ) : (
          <>
            <h3>
              Selected input{' '}
              <span className={e.note}>
                nearest reference vector at cosine distance{' '}
                {examples.nearest_reference_distance === null
                  ? '—'
                  : fixed(examples.nearest_reference_distance)}
              </span>
            </h3>
            {examples.point && <ExampleCard example={examples.point} testId="selected-example" />}
            <h3>Nearest logged inputs</h3>
            {examples.neighbours.map((n) => (
              <ExampleCard key={n.event_id} example={n} testId="neighbour-example" />
            ))}
          </>
        )}
      </div>
    </div>
  );
}

function ExampleCard({
  example,
  testId,
}: {
  example: NearestExamples['neighbours'][number];
  testId: string;
}) {
  const texts = Object.entries(example.texts);
  return (
    <div className={e.example} data-testid={testId} data-event-id={example.event_id}>
      <div className={e.meta}>
        {example.timestamp.slice(0, 19).replace('T', ' ')} · prediction{' '}
        {String(example.prediction ?? '—')}
        {example.distance > 0 && ` · distance ${fixed(example.distance)}`}
      </div>
      {texts.length === 0 ? (
        <div className={e.meta}>no text fields</div>
      ) : (
        texts.map(([k, v]) => (
          <p key={k} className={e.text}>
            <b>{k}</b> {v}
          </p>
        ))
      )}
    </div>
  );
}

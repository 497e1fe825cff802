/** Chart colours: one hue per meaning, the same on every page. */
export const COLORS = {
  traffic: '#2563eb',
  errors: '#dc2626',
  p50: '#0ea5e9',
  p95: '#7c3aed',
  p99: '#db2777',
  reference: '#94a3b8',
  current: '#2563eb',
  threshold: '#f59e0b',
  grid: '#eef0f3',
  axis: '#98a2b3',
} as const;

/** Metric series of the performance charts, in order. */
export const SERIES = ['#2563eb', '#7c3aed', '#0d9488', '#ea580c', '#db2777', '#65a30d'];

export const AXIS_TICK = { fontSize: 11, fill: '#667085' };

/** The category / time axis every chart shares. */
export const X_AXIS = {
  tick: AXIS_TICK,
  tickLine: false,
  axisLine: { stroke: COLORS.grid },
} as const;

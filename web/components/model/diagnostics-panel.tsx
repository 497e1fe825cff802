import type { Diagnostics } from '@osprey/detectors';
import { CountHistogram, UnitCurveChart } from './diagnostics-charts';
import styles from './model.module.css';
import d from './diagnostics.module.css';

type Matrix = NonNullable<Diagnostics['confusion_matrix']>;
type Curves = NonNullable<Diagnostics['curves']>;
type CalibrationBin = NonNullable<Diagnostics['calibration']>['uniform'][number];
type Segments = NonNullable<Diagnostics['segments']>;
type Grid = NonNullable<Diagnostics['predicted_vs_actual']>;

const fixed = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
const count = (n: number) => n.toLocaleString('en-US');
const metricText = (metric: Segments['metric'], v: number) =>
  metric === 'accuracy'
    ? `${(v * 100).toFixed(1)}%`
    : Number(v.toPrecision(4)).toLocaleString('en-US');

/** A gap in accuracy reads in percentage points. */
const gapText = (metric: Segments['metric'], v: number) =>
  metric === 'accuracy' ? `${(v * 100).toFixed(1)} pts` : metricText(metric, v);

function ConfusionMatrix({ m }: { m: Matrix }) {
  return (
    <div className={styles.tableScroll}>
      <table className={d.matrix} data-testid="confusion-matrix">
        <thead>
          <tr>
            <th>actual ↓ predicted →</th>
            {m.labels.map((l) => (
              <th key={l}>{l}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {m.matrix.map((row, i) => {
            const total = row.reduce((a, b) => a + b, 0);
            return (
              <tr key={m.labels[i]}>
                <th>{m.labels[i]}</th>
                {row.map((n, j) => (
                  <td
                    key={m.labels[j]}
                    data-diagonal={i === j}
                    data-testid="confusion-cell"
                    data-count={n}
                  >
                    {count(n)}
                    <small>{total > 0 ? `${((n / total) * 100).toFixed(1)}%` : '—'}</small>
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      {m.threshold !== null && (
        <p className={d.axisNote}>class 1 when the score is ≥ {m.threshold}; shares by row</p>
      )}
    </div>
  );
}

type Points = { x: number; y: number }[];
type Series = { label: string; points: Points }[];

/** ROC, precision–recall and calibration side by side, one line per series in each. */
function CurveCards(props: {
  roc: { title: string; note: string; series: Series };
  pr: { note: string; series: Series };
  /** Null when a score is not a probability. */
  calibration: { note: string; series: Series | null; xLabel: string; yLabel: string };
  testId?: string;
  classes?: number;
}) {
  return (
    <div className={d.grid} data-testid={props.testId} data-classes={props.classes}>
      <div className={d.card}>
        <h3>
          {props.roc.title} <span className={d.cardNote}>{props.roc.note}</span>
        </h3>
        <UnitCurveChart
          series={props.roc.series}
          xLabel="false positive rate"
          yLabel="true positive rate"
          diagonal="rising"
          testId="roc-curve"
        />
      </div>
      <div className={d.card}>
        <h3>
          Precision–recall <span className={d.cardNote}>{props.pr.note}</span>
        </h3>
        <UnitCurveChart
          series={props.pr.series}
          xLabel="recall"
          yLabel="precision"
          testId="pr-curve"
        />
      </div>
      <div className={d.card}>
        <h3>
          Calibration <span className={d.cardNote}>{props.calibration.note}</span>
        </h3>
        {props.calibration.series ? (
          <UnitCurveChart
            series={props.calibration.series}
            xLabel={props.calibration.xLabel}
            yLabel={props.calibration.yLabel}
            diagonal="rising"
            testId="calibration-curve"
          />
        ) : (
          <p className={styles.hint}>Scores outside [0, 1] are not probabilities.</p>
        )}
      </div>
    </div>
  );
}

const rocPoints = (c: Curves): Points => c.roc.fpr.map((x, i) => ({ x, y: c.roc.tpr[i]! }));
const prPoints = (c: Curves): Points => c.pr.recall.map((x, i) => ({ x, y: c.pr.precision[i]! }));
const calibrationPoints = (bins: CalibrationBin[]): Points =>
  bins.map((b) => ({ x: b.mean_predicted, y: b.fraction_positive }));

function BinaryCurves({ diagnostics }: { diagnostics: Diagnostics }) {
  const c = diagnostics.curves;
  const cal = diagnostics.calibration;
  if (!c) return null;
  const thinned =
    c.thinned.points < c.thresholds
      ? `${count(c.thinned.points)} of ${count(c.thresholds)} thresholds drawn`
      : `${count(c.thresholds)} thresholds`;
  return (
    <CurveCards
      roc={{
        title: 'ROC curve',
        note: `AUC ${fixed(c.roc_auc)} · ${thinned}`,
        series: [{ label: 'ROC', points: rocPoints(c) }],
      }}
      pr={{
        note: `AP ${fixed(c.average_precision)}`,
        series: [{ label: 'precision', points: prPoints(c) }],
      }}
      calibration={{
        note: '10 bins; the diagonal is calibrated',
        series:
          cal &&
          (['uniform', 'quantile'] as const).map((s) => ({
            label: `${s} bins`,
            points: calibrationPoints(cal[s]),
          })),
        xLabel: 'mean score',
        yLabel: 'share positive',
      }}
    />
  );
}

function Density({ grid }: { grid: Grid }) {
  const max = Math.max(1, ...grid.counts.flat());
  const [lo, hi] = grid.range;
  // Rows from the top: the highest label first, so the diagonal rises left to right.
  const cells = [];
  for (let j = grid.bins - 1; j >= 0; j--) {
    for (let i = 0; i < grid.bins; i++) {
      const n = grid.counts[i]![j]!;
      cells.push(
        <span
          key={`${i}-${j}`}
          style={{ opacity: n === 0 ? 0.03 : 0.15 + 0.85 * Math.sqrt(n / max) }}
          title={`${count(n)} rows`}
        />,
      );
    }
  }
  return (
    <div>
      <div
        className={d.density}
        style={{ gridTemplateColumns: `repeat(${grid.bins}, 1fr)` }}
        data-testid="predicted-vs-actual"
      >
        {cells}
      </div>
      <p className={d.axisNote}>
        prediction → (x), label ↑ (y), both {Number(lo.toPrecision(4))} to{' '}
        {Number(hi.toPrecision(4))}; darker: more rows
      </p>
    </div>
  );
}

function SegmentTable({ s }: { s: Segments }) {
  const name = s.metric === 'accuracy' ? 'Accuracy' : 'MAE';
  return (
    <div className={styles.tableScroll}>
      <table className={styles.table} data-testid="segment-table">
        <thead>
          <tr>
            <th>Tag</th>
            <th>Value</th>
            <th className={styles.num}>Labelled</th>
            <th className={styles.num}>{name} ± SE</th>
            <th className={styles.num}>Worse than all by</th>
          </tr>
        </thead>
        <tbody>
          {s.rows.map((r) => (
            <tr
              key={`${r.key}=${r.value}`}
              className={r.small ? d.small : undefined}
              data-testid="segment-row"
            >
              <td>{r.key}</td>
              <td>{r.value}</td>
              <td className={styles.num}>{count(r.n)}</td>
              <td className={styles.num}>
                {metricText(s.metric, r.metric)} ± {metricText(s.metric, r.stderr)}
              </td>
              <td
                className={styles.num}
                data-tone={!r.small && r.worse_by > 2 * r.stderr ? 'bad' : undefined}
              >
                {r.small ? `fewer than ${s.min_rows} rows` : gapText(s.metric, r.worse_by)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One-vs-rest curves of a multiclass model: one line per class in each chart. */
function ClassCurves({ curves }: { curves: NonNullable<Diagnostics['class_curves']> }) {
  if (curves.classes.length === 0) {
    return (
      <p className={styles.hint} data-testid="class-curves-reason">
        No one-vs-rest curves: {curves.reason}.
      </p>
    );
  }
  const series = (points: (c: (typeof curves.classes)[number]) => Points) =>
    curves.classes.map((c) => ({ label: c.label, points: points(c) }));
  const calibrated = curves.classes.every((c) => c.calibration !== null);
  return (
    <CurveCards
      testId="class-curves"
      classes={curves.classes.length}
      roc={{
        title: 'ROC, one vs rest',
        note: `macro AUC ${fixed(curves.roc_auc_macro)}`,
        series: series((c) => rocPoints(c.curves)),
      }}
      pr={{
        note: `macro AP ${fixed(curves.average_precision_macro)}`,
        series: series((c) => prPoints(c.curves)),
      }}
      calibration={{
        note: '10 uniform bins per class',
        series: calibrated ? series((c) => calibrationPoints(c.calibration!.uniform)) : null,
        xLabel: 'mean probability',
        yLabel: 'share of the class',
      }}
    />
  );
}

/**
 * Where a model fails over a range: a classifier's confusion matrix and curves, a regression
 * model's residuals, and performance per tag value, worst first.
 */
export function DiagnosticsPanel({ diagnostics }: { diagnostics: Diagnostics }) {
  const { segments, confusion_matrix: matrix, residuals, predicted_vs_actual: grid } = diagnostics;
  return (
    <div className={styles.sections} data-testid="diagnostics" data-task={diagnostics.task}>
      {(matrix || diagnostics.curves) && (
        <section className={styles.panel}>
          <div className={styles.panelHeader}>
            <h2>Classification</h2>
            <span className={styles.panelNote}>{diagnostics.task}</span>
          </div>
          <div className={styles.panelBody}>
            {matrix && <ConfusionMatrix m={matrix} />}
            <BinaryCurves diagnostics={diagnostics} />
            {diagnostics.class_curves && <ClassCurves curves={diagnostics.class_curves} />}
          </div>
        </section>
      )}
      {(residuals || grid) && (
        <section className={styles.panel}>
          <div className={styles.panelHeader}>
            <h2>Residuals</h2>
            <span className={styles.panelNote}>label − prediction</span>
          </div>
          <div className={`${styles.panelBody} ${d.grid}`}>
            {residuals && (
              <div className={d.card}>
                <h3>
                  Residuals{' '}
                  <span className={d.cardNote}>{residuals.counts.length} bins (numpy auto)</span>
                </h3>
                <CountHistogram
                  edges={residuals.edges}
                  counts={residuals.counts}
                  testId="residuals"
                />
              </div>
            )}
            {grid && (
              <div className={d.card}>
                <h3>Predicted vs actual</h3>
                <Density grid={grid} />
              </div>
            )}
          </div>
        </section>
      )}
      {segments && (
        <section className={styles.panel}>
          <div className={styles.panelHeader}>
            <h2>Where the model fails</h2>
            <span className={styles.panelNote}>
              {segments.metric === 'accuracy' ? 'accuracy' : 'MAE'} per tag value, worst first ·
              all: {segments.overall ? metricText(segments.metric, segments.overall.metric) : '—'}{' '}
              over {count(segments.overall?.n ?? 0)} labelled
            </span>
          </div>
          {segments.rows.length === 0 ? (
            <p className={styles.hint}>The labelled predictions carry no tags to split them by.</p>
          ) : (
            <SegmentTable s={segments} />
          )}
        </section>
      )}
    </div>
  );
}

import type {
  LabelAgreement,
  NumericAgreement,
  SideBySideReport,
  SideBySideSkipped,
} from '@osprey/shadow-runner/api';
import { Panel, TableHead, cx, ui } from '@/components/actions/primitives';
import { Stat, StatRow } from '@/components/ui/stat';
import { bytes, number, percent } from '@/lib/actions/format';

type Side = SideBySideReport | SideBySideSkipped;

/**
 * The candidate beside production's registered model, recomputed on the same batches: speed,
 * size and output agreement (docs/shadow.md, "Side by side"). A replay that could not run
 * production says why.
 */
export function SideBySidePanel({ side }: { side: Side }) {
  if ('skipped' in side)
    return (
      <Panel title="Side by side with production">
        <p className={cx(ui.panelBody, ui.small, ui.muted)} data-testid="side-by-side-skipped">
          Production was not recomputed: {side.skipped}.
        </p>
      </Panel>
    );
  const { candidate: c, production: p } = side;
  const regression = side.task === 'regression';
  const us = (v: number | null) => (v === null ? '—' : `${number(v, 3)} µs`);
  const rows: [string, string, string][] = [
    ['Version', p.version, c.version],
    ['Model size', bytes(p.size_bytes), bytes(c.size_bytes)],
    ['Per-row latency p50', us(p.per_row_p50_us), us(c.per_row_p50_us)],
    ['Per-row latency p95', us(p.per_row_p95_us), us(c.per_row_p95_us)],
    ['Throughput (rows/s)', number(p.rows_per_second), number(c.rows_per_second)],
  ];
  const l = side.labelled;
  if (l.events > 0)
    rows.push(
      regression
        ? ['MAE vs labels', number(l.production_mae), number(l.candidate_mae)]
        : [
            'Accuracy vs labels',
            percent(l.production_accuracy, 2),
            percent(l.candidate_accuracy, 2),
          ],
    );
  const delta = regression ? number(l.mae_delta) : percent(l.accuracy_delta, 2);
  return (
    <Panel title="Side by side with production">
      <div className={ui.panelBody} data-testid="side-by-side">
        <StatRow>
          <Stat
            label="Speed-up"
            value={side.speedup === null ? '—' : `${number(side.speedup, 3)}×`}
            note="median per-row latency"
            tone={side.speedup === null ? 'default' : side.speedup >= 1 ? 'good' : 'warn'}
            testId="side-speedup"
          />
          <Stat label="Size" value={`${number(side.size_ratio, 3)}×`} note="of production" />
          <Stat
            label={regression ? 'MAE change' : 'Accuracy change'}
            value={delta}
            note={l.events > 0 ? `${number(l.events)} labelled` : 'no labels'}
          />
        </StatRow>
        <table className={ui.table} data-testid="side-by-side-models">
          <TableHead columns={['', 'Production (recomputed)', 'Candidate']} />
          <tbody>
            {rows.map(([label, prod, cand]) => (
              <tr key={label}>
                <td className={ui.muted}>{label}</td>
                <td className={ui.num} style={{ textAlign: 'left' }}>
                  {prod}
                </td>
                <td className={ui.num} style={{ textAlign: 'left' }}>
                  {cand}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className={ui.table} data-testid="side-by-side-agreement">
          <TableHead
            columns={
              regression
                ? ['Outputs compared', 'Events', 'MAE', 'Max |diff|']
                : ['Outputs compared', 'Events', 'Agreement']
            }
          />
          <tbody>
            {(
              [
                ['Candidate vs production recomputed', side.agreement.candidate_vs_recomputed],
                ['Candidate vs production logged', side.agreement.candidate_vs_logged],
                ['Production recomputed vs logged', side.agreement.recomputed_vs_logged],
              ] as const
            ).map(([label, a]) => (
              <tr key={label}>
                <td className={ui.muted}>{label}</td>
                <td className={ui.num}>{number(a.compared)}</td>
                {regression ? (
                  <>
                    <td className={ui.num}>{number((a as NumericAgreement).mae)}</td>
                    <td className={ui.num}>{number((a as NumericAgreement).max_abs_diff)}</td>
                  </>
                ) : (
                  <td className={ui.num}>{percent((a as LabelAgreement).agreement, 2)}</td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        <p className={cx(ui.small, ui.muted)} style={{ margin: 0 }}>
          Both models ran the same batches in the same pool; latency is time inside the ONNX session
          per batch, divided by its rows. Production recomputed vs logged shows what the logged
          predictions differ by for reasons other than the model (float32 against float64, or events
          logged by another version).
        </p>
      </div>
    </Panel>
  );
}

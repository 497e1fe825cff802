import type { ShadowRun } from '@osprey/shadow-runner/api';
import { Panel, TableHead, cx, ui } from '@/components/actions/primitives';
import { Stat, StatRow } from '@/components/ui/stat';
import { number, percent, plural } from '@/lib/actions/format';

type Summary = {
  task?: string;
  output?: string;
  rows?: number;
  compared?: number;
  agreement?: number | null;
  abs_diff_mean?: number | null;
  abs_diff_p95?: number | null;
  abs_diff_max?: number | null;
  labelled?: number;
  production_mae?: number | null;
  candidate_mae?: number | null;
  production_accuracy?: number | null;
  candidate_accuracy?: number | null;
  ks_statistic?: number | null;
  ks_p_value?: number | null;
  latency?: {
    batches?: number;
    batch_size?: number;
    p50_ms?: number | null;
    p95_ms?: number | null;
    inference_rows_per_second?: number | null;
  };
};

/** The headline numbers of a finished (or refreshed live) run. */
export function SummaryStats({ run }: { run: ShadowRun }) {
  const s = (run.summary ?? {}) as Summary;
  const v = (text: string, testId?: string) => <span data-testid={testId}>{text}</span>;
  return (
    <StatRow>
      <Stat label="Events compared" value={v(number(s.compared ?? null), 'stat-compared')} />
      {s.task === 'classification' ? (
        <Stat label="Agreement" value={v(percent(s.agreement ?? null, 2), 'stat-agreement')} />
      ) : (
        <>
          <Stat label="Mean |diff|" value={number(s.abs_diff_mean ?? null)} />
          <Stat label="p95 |diff|" value={number(s.abs_diff_p95 ?? null)} />
          <Stat label="Max |diff|" value={number(s.abs_diff_max ?? null)} />
        </>
      )}
      <Stat label="Labelled" value={number(s.labelled ?? null)} />
      <Stat
        label="Output KS"
        value={number(s.ks_statistic ?? null, 3)}
        note={s.ks_p_value != null ? `p = ${number(s.ks_p_value, 3)}` : undefined}
      />
      <Stat
        label="Batch p95"
        value={s.latency?.p95_ms != null ? `${number(s.latency.p95_ms, 3)} ms` : '—'}
        note={s.latency?.batches ? plural(s.latency.batches, 'batch') : undefined}
      />
    </StatRow>
  );
}

/** Production against candidate, metric by metric. */
export function SummaryTable({ run, loggedBy }: { run: ShadowRun; loggedBy: string }) {
  const s = (run.summary ?? {}) as Summary;
  const rows: [string, string, string][] = [
    ['Version', loggedBy, run.candidate_version],
    ['Output compared', '(logged prediction)', s.output ?? '—'],
  ];
  if (s.task === 'classification') {
    rows.push([
      'Accuracy vs labels',
      percent(s.production_accuracy ?? null, 2),
      percent(s.candidate_accuracy ?? null, 2),
    ]);
  } else {
    rows.push(['MAE vs labels', number(s.production_mae ?? null), number(s.candidate_mae ?? null)]);
  }
  rows.push(
    ['Output drift KS p-value', '', number(s.ks_p_value ?? null, 3)],
    [
      'Inference',
      '',
      s.latency
        ? `${number(s.latency.inference_rows_per_second ?? null)} rows/s · ${plural(s.latency.batches ?? 0, 'batch')} of ${s.latency.batch_size ?? '—'}`
        : '—',
    ],
  );
  return (
    <Panel title="Summary">
      <table className={ui.table} data-testid="summary-table">
        <TableHead columns={['', 'Production (logged)', 'Candidate']} />
        <tbody>
          {rows.map(([label, p, c]) => (
            <tr key={label}>
              <td className={ui.muted}>{label}</td>
              <td className={ui.num} style={{ textAlign: 'left' }}>
                {p}
              </td>
              <td className={ui.num} style={{ textAlign: 'left' }}>
                {c}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

/** Classification: how often each production label became each candidate label. */
export function ConfusionTable({
  cells,
}: {
  cells: { production: string; candidate: string; count: number }[];
}) {
  const total = cells.reduce((a, c) => a + c.count, 0);
  return (
    <Panel title="Label changes" count={cells.length}>
      <table className={ui.table} data-testid="confusion">
        <TableHead
          columns={[
            'Production (logged)',
            'Candidate',
            { label: 'Events', num: true },
            { label: 'Share', num: true },
          ]}
        />
        <tbody>
          {cells.map((c) => (
            <tr key={`${c.production}\u0000${c.candidate}`}>
              <td className={ui.mono}>{c.production}</td>
              <td
                className={cx(ui.mono)}
                style={c.production !== c.candidate ? { color: '#b42318' } : undefined}
              >
                {c.candidate}
              </td>
              <td className={ui.num}>{number(c.count)}</td>
              <td className={ui.num}>{percent(total ? c.count / total : null)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

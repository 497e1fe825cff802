'use client';

import type { ShadowRun } from '@osprey/shadow-runner/api';
import { IntentLink as Link } from '@/components/ui/intent-link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Dialog } from '@/components/actions/dialog';
import { Badge, Callout, Field, Panel, TableHead, cx, ui } from '@/components/actions/primitives';
import { callApi, describeError } from '@/lib/actions/api-client';
import { number } from '@/lib/actions/format';

const CHECK_LABELS: Record<string, string> = {
  agreement: 'Agreement with production',
  abs_diff_p95: 'p95 |candidate − production|',
  candidate_mae: 'Candidate MAE vs labels',
  candidate_accuracy: 'Candidate accuracy vs labels',
  batch_latency_p95_ms: 'Batch latency p95 (ms)',
  speedup: 'Speed-up over production (×)',
  mae_delta: 'MAE change vs production (labels)',
};
const AT_LEAST = new Set(['agreement', 'candidate_accuracy', 'speedup']);

/**
 * The verdict's checks and the promote button: enabled on a passing verdict for editors; on a
 * hold only an admin may force it. The API decides either way and its refusal is shown.
 */
export function VerdictPanel(props: {
  run: ShadowRun;
  production: string | undefined;
  canEdit: boolean;
  canForce: boolean;
}) {
  const router = useRouter();
  const { run } = props;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [promoted, setPromoted] = useState<string>();
  const verdict = run.verdict;
  const judged = run.status === 'done' || (run.mode === 'live' && verdict !== null);
  const pass = verdict?.decision === 'promote';
  const isProduction = props.production === run.candidate_version;
  const force = judged && !pass;

  async function promote(form: FormData) {
    const reason = String(form.get('reason') ?? '').trim();
    if (force && !reason) {
      setError('reason: say why you override the verdict');
      return;
    }
    setBusy(true);
    setError(undefined);
    const res = await callApi<{ version: string }>(
      'POST',
      `/api/v1/models/${encodeURIComponent(run.model)}/shadow-runs/${run.id}/promote`,
      { ...(reason && { reason }), force },
    );
    setBusy(false);
    if (!res.ok) {
      setError(describeError(res));
      return;
    }
    setOpen(false);
    setPromoted(res.data!.version);
    router.refresh();
  }

  let button: React.ReactNode = null;
  let note: string | undefined;
  if (isProduction) note = `${run.candidate_version} is production.`;
  else if (!judged) note = 'Promote becomes available when the run is done.';
  else if (pass && !props.canEdit) note = 'Promoting needs the editor role.';
  else if (!pass && !props.canForce)
    note =
      'The verdict is hold: the candidate cannot be promoted from this run (an admin can force it).';
  if (!isProduction && judged) {
    button = (
      <button
        type="button"
        className={cx(ui.button, pass ? ui.primary : ui.dangerSolid)}
        disabled={pass ? !props.canEdit : !props.canForce}
        onClick={() => setOpen(true)}
        data-testid="shadow-promote"
      >
        {pass ? `Promote ${run.candidate_version}` : `Force promote ${run.candidate_version}…`}
      </button>
    );
  }

  return (
    <Panel
      title={
        <>
          Verdict{' '}
          {verdict ? (
            <Badge tone={pass ? 'green' : 'amber'}>
              <span data-testid="verdict">{verdict.decision}</span>
            </Badge>
          ) : (
            <Badge>pending</Badge>
          )}
        </>
      }
      actions={button}
      testId="verdict-panel"
    >
      {verdict && (
        <table className={ui.table}>
          <TableHead
            columns={[
              'Check',
              { label: 'Value', num: true },
              { label: 'Threshold', num: true },
              'Result',
            ]}
          />
          <tbody>
            {verdict.checks.map((c) => (
              <tr key={c.name}>
                <td>{CHECK_LABELS[c.name] ?? c.name}</td>
                <td className={ui.num}>{number(c.value)}</td>
                <td className={ui.num}>
                  {c.threshold === null
                    ? '—'
                    : `${AT_LEAST.has(c.name) ? '≥' : '≤'} ${number(c.threshold)}`}
                </td>
                <td>
                  {c.pass === null ? (
                    <Badge>skipped</Badge>
                  ) : c.pass ? (
                    <Badge tone="green">pass</Badge>
                  ) : (
                    <Badge tone="red">fail</Badge>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(note || promoted || (error && !open)) && (
        <div className={ui.panelBody} style={{ display: 'grid', gap: 8 }}>
          {note && <span className={cx(ui.small, ui.muted)}>{note}</span>}
          {promoted && (
            <Callout tone="success">
              {promoted} is now production.{' '}
              <Link href={`/versions?model=${encodeURIComponent(run.model)}`}>
                See the deployment timeline
              </Link>
            </Callout>
          )}
          {error && !open && <Callout tone="error">{error}</Callout>}
        </div>
      )}
      <Dialog
        open={open}
        title={`${force ? 'Force promote' : 'Promote'} ${run.model} ${run.candidate_version}`}
        confirm={force ? 'Force promote' : 'Promote'}
        danger={force}
        busy={busy}
        onClose={() => {
          setOpen(false);
          setError(undefined);
        }}
        onSubmit={(f) => void promote(f)}
      >
        <p className={ui.small} style={{ margin: 0 }}>
          Production is now <strong>{props.production ?? 'not set'}</strong>.{' '}
          {force
            ? 'The verdict is hold; forcing is recorded in the audit log.'
            : 'The verdict passed every check.'}
        </p>
        <Field label={force ? 'Reason (required)' : 'Reason (optional)'}>
          <textarea
            name="reason"
            defaultValue={force ? '' : `shadow run ${run.id.slice(0, 8)}: verdict promote`}
          />
        </Field>
        {error && <Callout tone="error">{error}</Callout>}
      </Dialog>
    </Panel>
  );
}

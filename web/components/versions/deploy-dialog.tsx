'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Dialog } from '@/components/actions/dialog';
import { Callout, Field, ui } from '@/components/actions/primitives';
import { callApi, describeError } from '@/lib/actions/api-client';

export type DeployIntent =
  { action: 'promote'; version: string } | { action: 'rollback'; to: string | undefined };

/**
 * Confirms a promote or a rollback and asks why (the reason is required: it goes into the
 * deployment log, the audit log and the deployment.changed webhook). The API's refusal (403 for a
 * viewer, 409 when already production) stays in the dialog; production is re-read after success.
 */
export function DeployDialog(props: {
  model: string;
  production: string | undefined;
  /** Versions a rollback may target (those that were production before). */
  rollbackTargets: string[];
  intent: DeployIntent | undefined;
  onClose: () => void;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [reasonError, setReasonError] = useState<string>();
  const intent = props.intent;

  function close() {
    setError(undefined);
    setReasonError(undefined);
    props.onClose();
  }

  async function submit(form: FormData) {
    if (!intent) return;
    const reason = String(form.get('reason') ?? '').trim();
    if (!reason) {
      setReasonError('reason: must say why');
      return;
    }
    setBusy(true);
    setError(undefined);
    setReasonError(undefined);
    const path = `/api/v1/models/${encodeURIComponent(props.model)}/${intent.action}`;
    const body =
      intent.action === 'promote'
        ? { version: intent.version, reason }
        : { to: String(form.get('to') ?? '') || undefined, reason };
    const result = await callApi(`POST`, path, body);
    setBusy(false);
    if (!result.ok) {
      if (result.field === 'reason') setReasonError(result.error);
      else setError(describeError(result));
      return;
    }
    close();
    router.refresh();
  }

  const title =
    intent?.action === 'promote'
      ? `Promote ${props.model} ${intent.version} to production`
      : `Roll back ${props.model}`;
  return (
    <Dialog
      open={intent !== undefined}
      title={title}
      confirm={intent?.action === 'promote' ? 'Promote' : 'Roll back'}
      danger={intent?.action === 'rollback'}
      busy={busy}
      onClose={close}
      onSubmit={submit}
      testId="deploy-dialog"
    >
      <p className={ui.small} style={{ margin: 0 }}>
        Production is now <strong>{props.production ?? 'not set'}</strong>.{' '}
        {intent?.action === 'promote'
          ? `Services polling the production version switch to ${intent.version}.`
          : 'Services polling the production version switch to the version chosen below.'}
      </p>
      {intent?.action === 'rollback' && (
        <Field label="Roll back to">
          <select name="to" defaultValue={intent.to ?? props.rollbackTargets[0]}>
            {props.rollbackTargets.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field label="Reason (required)" error={reasonError}>
        <textarea
          name="reason"
          placeholder="What changed, and why"
          autoFocus
          onChange={() => setReasonError(undefined)}
        />
      </Field>
      {error && (
        <Callout tone="error" testId="deploy-error">
          {error}
        </Callout>
      )}
    </Dialog>
  );
}

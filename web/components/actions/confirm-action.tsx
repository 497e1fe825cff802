'use client';

import { useState, type ReactNode } from 'react';
import { describeError, type ApiResult } from '@/lib/actions/api-client';
import { Dialog } from './dialog';
import { Callout } from './primitives';

/** A destructive action behind a confirmation: runs the API call, keeps its refusal in the dialog. */
export function ConfirmAction(props: {
  open: boolean;
  title: string;
  confirm: string;
  action: () => Promise<ApiResult<unknown>>;
  onClose: () => void;
  onDone: () => void;
  children: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const close = () => {
    setError(undefined);
    props.onClose();
  };
  async function run() {
    setBusy(true);
    setError(undefined);
    const res = await props.action();
    setBusy(false);
    if (!res.ok) return setError(describeError(res));
    close();
    props.onDone();
  }
  return (
    <Dialog
      open={props.open}
      title={props.title}
      confirm={props.confirm}
      danger
      busy={busy}
      onClose={close}
      onSubmit={() => void run()}
    >
      {props.children}
      {error && <Callout tone="error">{error}</Callout>}
    </Dialog>
  );
}

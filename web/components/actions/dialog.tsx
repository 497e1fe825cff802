'use client';

import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';
import { cx, ui } from './primitives';

/**
 * A modal (native <dialog>: focus trap, Esc and backdrop for free) around a form. `onSubmit`
 * runs on the confirm button; the caller closes it by setting `open` false.
 */
export function Dialog(props: {
  open: boolean;
  title: string;
  confirm: string;
  danger?: boolean;
  busy?: boolean;
  onClose: () => void;
  onSubmit: (form: FormData) => void;
  children: ReactNode;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    props.onSubmit(new FormData(event.currentTarget));
  }

  return (
    <dialog
      ref={ref}
      className={ui.dialog}
      onClose={props.onClose}
      onCancel={props.onClose}
      data-testid={props.testId}
    >
      {props.open && (
        <form onSubmit={submit}>
          <div className={ui.dialogBody}>
            <h3>{props.title}</h3>
            {props.children}
          </div>
          <div className={ui.dialogFooter}>
            <button type="button" className={ui.button} onClick={props.onClose}>
              Cancel
            </button>
            <button
              type="submit"
              className={cx(ui.button, props.danger ? ui.dangerSolid : ui.primary)}
              disabled={props.busy}
            >
              {props.busy ? 'Working…' : props.confirm}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

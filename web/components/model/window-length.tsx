'use client';

import type { ModelSettings } from '@osprey/detectors';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ActionButton, cx, ui } from '@/components/actions/primitives';
import { saveModelSettings } from './save-settings';
import { windowLength } from './window-text';

const CHOICES = [5, 15, 30, 60, 120, 360, 720, 1440];

/**
 * The model's window length, and for editors a select to change it (PUT …/settings with the rest
 * of the settings unchanged). A new length applies to the windows that close from then on.
 */
export function WindowLength(props: { model: string; settings: ModelSettings; canEdit: boolean }) {
  const router = useRouter();
  const current = props.settings.window_minutes;
  const [minutes, setMinutes] = useState(current);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const choices = CHOICES.includes(current) ? CHOICES : [...CHOICES, current].sort((a, b) => a - b);

  async function save() {
    setBusy(true);
    setError(undefined);
    const problem = await saveModelSettings(props.model, props.settings, {
      window_minutes: minutes,
    });
    setBusy(false);
    if (problem) return setError(problem);
    router.refresh();
  }

  return (
    <span className={ui.small} data-testid="window-length">
      Windows of{' '}
      {props.canEdit ? (
        <>
          <select
            aria-label="Window length"
            value={minutes}
            onChange={(e) => setMinutes(Number(e.target.value))}
            disabled={busy}
            data-testid="window-length-select"
          >
            {choices.map((m) => (
              <option key={m} value={m}>
                {windowLength(m)}
              </option>
            ))}
          </select>{' '}
          {minutes !== current && (
            <ActionButton onClick={() => void save()} disabled={busy} testId="window-length-save">
              Save
            </ActionButton>
          )}
        </>
      ) : (
        <strong>{windowLength(current)}</strong>
      )}{' '}
      <span className={ui.muted}>
        evaluated {props.settings.grace_minutes} min after they close
      </span>
      {error && (
        <span className={cx(ui.small)} role="alert" style={{ color: '#b42318', marginLeft: 8 }}>
          {error}
        </span>
      )}
    </span>
  );
}

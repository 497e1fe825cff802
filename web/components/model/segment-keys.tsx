'use client';

import type { ModelSettings } from '@osprey/detectors';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ActionButton, cx, ui } from '@/components/actions/primitives';
import { saveModelSettings } from './save-settings';

/** The most segment keys a model's settings take (detectors' modelSettings schema). */
const MAX_SEGMENTS = 5;

/**
 * The model's segment keys, and the tag keys its predictions carry that are not segments yet: a
 * tag becomes filterable, rolled up and detected per value only once it is configured, so a model
 * with tags and no segments would otherwise show no segment filter and no hint why.
 */
export function SegmentKeys(props: {
  model: string;
  settings: ModelSettings;
  tagKeys: string[];
  canEdit: boolean;
}) {
  const router = useRouter();
  const configured = props.settings.segments;
  const candidates = props.tagKeys.filter((k) => !configured.includes(k));
  const [key, setKey] = useState(candidates[0] ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (configured.length === 0 && candidates.length === 0) return null;
  const chosen = candidates.includes(key) ? key : candidates[0];

  async function add() {
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    const problem = await saveModelSettings(props.model, props.settings, {
      segments: [...configured, chosen],
    });
    setBusy(false);
    if (problem) return setError(problem);
    router.refresh();
  }

  const canAdd = props.canEdit && candidates.length > 0 && configured.length < MAX_SEGMENTS;
  return (
    <span className={ui.small} data-testid="segment-keys">
      {configured.length > 0 ? (
        <>
          Segments: <strong>{configured.join(', ')}</strong>
        </>
      ) : (
        <span data-testid="segment-hint">
          Tags <strong>{candidates.join(', ')}</strong> are logged but not segments
          {props.canEdit ? ':' : ' (an editor can make them segments)'}
        </span>
      )}
      {canAdd && (
        <>
          {' '}
          <select
            aria-label="Tag to make a segment"
            value={chosen}
            onChange={(e) => setKey(e.target.value)}
            disabled={busy}
            data-testid="segment-key-select"
          >
            {candidates.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>{' '}
          <ActionButton onClick={() => void add()} disabled={busy} testId="segment-key-add">
            Make a segment
          </ActionButton>{' '}
          <span className={ui.muted}>filter by it, and drift per value</span>
        </>
      )}
      {error && (
        <span className={cx(ui.small)} role="alert" style={{ color: '#b42318', marginLeft: 8 }}>
          {error}
        </span>
      )}
    </span>
  );
}

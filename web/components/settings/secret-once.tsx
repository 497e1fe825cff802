'use client';

import { useState } from 'react';
import { ActionButton, Callout, ui } from '@/components/actions/primitives';

/** A secret the API shows only in this answer: displayed once, with a copy button. */
export function SecretOnce(props: { label: string; secret: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <Callout tone="warning" testId="secret-once">
      <div style={{ display: 'grid', gap: 8 }}>
        <strong>{props.label}: copy it now, it will not be shown again.</strong>
        <div style={{ display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' }}>
          <code
            className={ui.mono}
            data-testid="secret-value"
            style={{ userSelect: 'all', padding: '4px 8px' }}
          >
            {props.secret}
          </code>
          <ActionButton
            onClick={() =>
              void navigator.clipboard?.writeText(props.secret).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {copied ? 'Copied' : 'Copy'}
          </ActionButton>
          <button type="button" className={ui.button} onClick={props.onDismiss}>
            Done
          </button>
        </div>
      </div>
    </Callout>
  );
}

'use client';

import { useState } from 'react';
import { ActionButton, Badge, Panel, TableHead, cx, ui } from '@/components/actions/primitives';
import { actor, bytes, when } from '@/lib/actions/format';
import { DeployDialog, type DeployIntent } from './deploy-dialog';
import type { ModelVersion } from './types';
import styles from './versions.module.css';

const NEEDS_EDITOR = 'needs the editor role';

/** The model's registered versions with production highlighted, and promote / rollback. */
export function Registry(props: {
  model: string;
  versions: ModelVersion[];
  production: string | undefined;
  rollbackTargets: string[];
  canEdit: boolean;
  actors: Record<string, string>;
}) {
  const [intent, setIntent] = useState<DeployIntent>();
  const newestFirst = [...props.versions].reverse();
  const previous = props.rollbackTargets[0];
  return (
    <Panel
      title="Registry"
      count={props.versions.length}
      testId="registry"
      actions={
        <button
          type="button"
          className={cx(ui.button, ui.danger)}
          disabled={!props.canEdit || !previous}
          title={!props.canEdit ? NEEDS_EDITOR : !previous ? 'no earlier production version' : ''}
          onClick={() => setIntent({ action: 'rollback', to: previous })}
          data-testid="rollback"
        >
          Roll back{previous ? ` to ${previous}` : ''}
        </button>
      }
    >
      {props.versions.length === 0 ? (
        <div className={ui.empty}>
          No versions registered for {props.model}. Upload an .onnx file below, or run{' '}
          <code>osprey models push</code>.
        </div>
      ) : (
        <div className={ui.scroll}>
          <table className={ui.table}>
            <TableHead
              columns={['Version', 'Artifact', 'Signature and features', 'Registered']}
              actions
            />
            <tbody>
              {newestFirst.map((v) => {
                const isProd = v.version === props.production;
                return (
                  <tr
                    key={v.version}
                    className={cx(isProd && ui.rowHighlight)}
                    data-testid="version-row"
                    data-version={v.version}
                    data-production={isProd ? 'true' : undefined}
                  >
                    <td className={styles.versionCell}>
                      <span className={ui.nowrap}>
                        <strong>{v.version}</strong>{' '}
                        {isProd && (
                          <Badge tone="green">
                            <span data-testid="production-badge">production</span>
                          </Badge>
                        )}
                      </span>
                      {v.description && (
                        <div className={cx(ui.muted, ui.small)}>{v.description}</div>
                      )}
                    </td>
                    <td className={ui.nowrap}>
                      <span className={ui.mono} title={`sha256 ${v.sha256}`}>
                        {v.sha256.slice(0, 12)}
                      </span>
                      <div className={cx(ui.small, ui.muted)} title={v.filename}>
                        {bytes(v.size_bytes)}
                      </div>
                    </td>
                    <td className={styles.signatureCell}>
                      <Signature v={v} />
                      <div
                        className={cx(ui.small, ui.muted, styles.features)}
                        title={v.input_spec.inputs.map((i) => i.features.join(', ')).join(' · ')}
                      >
                        {v.input_spec.inputs.map((i) => i.features.join(', ')).join(' · ')}
                      </div>
                    </td>
                    <td className={cx(ui.small, ui.nowrap)}>
                      {when(v.created_at).replace(' UTC', '')}
                      <div className={ui.muted}>{actor(v.created_by, props.actors)}</div>
                    </td>
                    <td className={ui.actions}>
                      {!isProd && (
                        <ActionButton
                          allowed={props.canEdit}
                          onClick={() => setIntent({ action: 'promote', version: v.version })}
                          testId="promote"
                        >
                          Promote
                        </ActionButton>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <DeployDialog
        model={props.model}
        production={props.production}
        rollbackTargets={props.rollbackTargets}
        intent={intent}
        onClose={() => setIntent(undefined)}
      />
    </Panel>
  );
}

function Signature({ v }: { v: ModelVersion }) {
  const spec = (x: { name: string; type: string; shape: (number | string)[] }) =>
    `${x.name} ${x.type}[${x.shape.join(',')}]`;
  const text = `${v.signature.inputs.map(spec).join(', ')} → ${v.signature.outputs.map(spec).join(', ')}`;
  return (
    <div className={cx(ui.mono, styles.signature)} title={text}>
      {v.signature.inputs.map(spec).join(', ')}
      <span className={ui.muted}> → </span>
      {v.signature.outputs.map(spec).join(', ')}
    </div>
  );
}

import { IntentLink as Link } from '@/components/ui/intent-link';
import { Badge, Panel, cx } from '@/components/actions/primitives';
import { actor, whenSeconds } from '@/lib/actions/format';
import type { Deployment } from './types';
import styles from './versions.module.css';

/** Every promote and rollback of the model, newest first (the first row is production). */
export function DeploymentTimeline(props: {
  deployments: Deployment[];
  actors: Record<string, string>;
}) {
  return (
    <Panel title="Deployment timeline" count={props.deployments.length} testId="timeline">
      {props.deployments.length === 0 ? (
        <p className={styles.meta} style={{ padding: '14px' }}>
          Nothing deployed yet: promote a version to make it production.
        </p>
      ) : (
        <ol className={styles.timeline}>
          {props.deployments.map((d, i) => (
            <li key={d.id} className={styles.event} data-testid="deployment">
              <span
                className={cx(
                  styles.dot,
                  i === 0
                    ? styles.dotCurrent
                    : d.action === 'rollback'
                      ? styles.dotRollback
                      : styles.dotPromote,
                )}
              />
              <div className={styles.eventTitle}>
                {d.action === 'rollback' ? 'Rolled back to' : 'Promoted'} {d.version}{' '}
                {d.previous_version && (
                  <span className={styles.meta}>from {d.previous_version} </span>
                )}
                {i === 0 && <Badge tone="green">production</Badge>}
              </div>
              <p className={styles.reason}>{d.reason}</p>
              <div className={styles.meta}>
                {whenSeconds(d.changed_at)} · {actor(d.actor, props.actors)}
                {d.alert_id && <> · alert {d.alert_id.slice(0, 8)}</>}
                {d.shadow_run_id && (
                  <>
                    {' · '}
                    <Link href={`/shadow/${encodeURIComponent(d.model)}/${d.shadow_run_id}`}>
                      shadow run
                    </Link>
                  </>
                )}
              </div>
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}

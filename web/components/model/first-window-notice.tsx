import type { FirstWindow } from '@osprey/detectors';
import { clock } from '@/components/ui/format';
import styles from './model.module.css';
import { windowLength } from './window-text';

/**
 * A new model's page before its first window is detected: when that happens (the window's end
 * plus the grace), or, once that time has passed, that it is on its way.
 */
export function FirstWindowNotice(props: { first: FirstWindow; now: number }) {
  const { first } = props;
  const at = `${clock(first.closes_at, first.window_minutes >= 1440)} UTC`;
  return (
    <p className={styles.firstWindow} role="status" data-testid="first-window">
      {first.closes_at > props.now ? (
        <>
          First window closes at <strong>{at}</strong>: drift and performance appear once the window
          of {windowLength(first.window_minutes)} from {clock(first.window.from)} has closed and{' '}
          {first.grace_minutes} min of grace for late events have passed.
        </>
      ) : (
        <>
          First window closed at <strong>{at}</strong> and is detected on the scheduler&apos;s next
          pass (every 30 s by default; with <code>OSPREY_DETECTORS=off</code>, run{' '}
          <code>osprey detect</code> or <code>POST …/detect</code>).
        </>
      )}
    </p>
  );
}

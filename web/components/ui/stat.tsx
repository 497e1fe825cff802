import type { ReactNode } from 'react';
import styles from './ui.module.css';

/** A headline number with its label and an optional note (a KPI tile). */
export function Stat(props: {
  label: string;
  value: ReactNode;
  note?: ReactNode;
  tone?: 'default' | 'good' | 'bad' | 'warn';
  testId?: string;
}) {
  return (
    <div className={styles.stat} data-tone={props.tone ?? 'default'} data-testid={props.testId}>
      <span className={styles.statLabel}>{props.label}</span>
      <span className={styles.statValue}>{props.value}</span>
      {props.note && <span className={styles.statNote}>{props.note}</span>}
    </div>
  );
}

export function StatRow({ children }: { children: ReactNode }) {
  return <div className={styles.statRow}>{children}</div>;
}

import type { ReactNode } from 'react';
import styles from './ui.module.css';

/** Title (with breadcrumbs above it) on the left, controls on the right. */
export function PageHeader(props: { title: ReactNode; crumbs?: ReactNode; children?: ReactNode }) {
  return (
    <header className={styles.pageHeader}>
      <div className={styles.pageTitle}>
        {props.crumbs && <div className={styles.crumbs}>{props.crumbs}</div>}
        <h1>{props.title}</h1>
      </div>
      <div className={styles.toolbar}>{props.children}</div>
    </header>
  );
}

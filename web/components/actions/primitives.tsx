import { IntentLink as Link } from '@/components/ui/intent-link';
import type { ReactNode } from 'react';
import ui from './ui.module.css';

export { ui };

export function cx(...names: (string | false | null | undefined)[]): string {
  return names.filter(Boolean).join(' ');
}

type Tone = 'green' | 'red' | 'amber' | 'blue' | 'gray';

export function Badge({ tone = 'gray', children }: { tone?: Tone; children: ReactNode }) {
  return <span className={cx(ui.badge, ui[tone])}>{children}</span>;
}

/** A labelled form control; `error` (from the API, naming this field) shows under it. */
export function Field(props: {
  label: string;
  error?: string;
  hint?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <label
      className={cx(ui.field, props.error && ui.fieldInvalid, props.className)}
      data-invalid={props.error ? 'true' : undefined}
    >
      {props.label}
      {props.children}
      {props.hint && !props.error && <span className={ui.hint}>{props.hint}</span>}
      {props.error && (
        <span className={ui.fieldError} role="alert">
          {props.error}
        </span>
      )}
    </label>
  );
}

export function Panel(props: {
  title?: ReactNode;
  count?: number;
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section className={ui.panel} data-testid={props.testId}>
      {(props.title || props.actions) && (
        <div className={ui.panelHeader}>
          <h2>
            {props.title}
            {props.count !== undefined && <span className={ui.count}> · {props.count}</span>}
          </h2>
          <span className={ui.spacer} />
          {props.actions}
        </div>
      )}
      {props.children}
    </section>
  );
}

export function Tabs(props: {
  tabs: { id: string; label: string; href: string }[];
  active: string;
}) {
  return (
    <nav className={ui.tabs}>
      {props.tabs.map((t) => (
        <Link
          key={t.id}
          href={t.href}
          className={cx(ui.tab, t.id === props.active && ui.tabActive)}
          aria-current={t.id === props.active ? 'page' : undefined}
        >
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

export function ProgressBar(props: { done: number; total: number; status?: string }) {
  const pct =
    props.status === 'done'
      ? 100
      : props.total > 0
        ? Math.min(100, Math.floor((props.done / props.total) * 100))
        : 0;
  const failed = props.status === 'failed' || props.status === 'cancelled';
  return (
    <div className={ui.progress}>
      <div
        className={ui.track}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-label="progress"
      >
        <div
          className={cx(ui.fill, pct === 100 && !failed && ui.fillDone, failed && ui.fillFailed)}
          style={{ width: `${pct}%` }}
        />
      </div>
      <span className={ui.progressLabel}>{pct}%</span>
    </div>
  );
}

export function Callout(props: {
  tone: 'error' | 'success' | 'info' | 'warning';
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div
      className={cx(ui.callout, ui[props.tone])}
      role={props.tone === 'error' ? 'alert' : 'status'}
      data-testid={props.testId}
    >
      {props.children}
    </div>
  );
}

type Column = string | { label: string; num?: boolean; width?: number };

/** A table's header row; `actions` adds the empty right-aligned column of row buttons. */
export function TableHead(props: { columns: Column[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c) => {
          const col = typeof c === 'string' ? { label: c } : c;
          return (
            <th
              key={col.label}
              className={col.num ? ui.num : undefined}
              style={col.width ? { width: col.width } : undefined}
            >
              {col.label}
            </th>
          );
        })}
        {props.actions && <th className={ui.actions} />}
      </tr>
    </thead>
  );
}

/**
 * A row or toolbar button; disabled, with the reason on hover, when the signed-in role may not
 * do it (`allowed` false) — the API would refuse it anyway.
 */
export function ActionButton(props: {
  onClick: () => void;
  children: ReactNode;
  tone?: 'default' | 'primary' | 'danger';
  allowed?: boolean;
  why?: string;
  disabled?: boolean;
  testId?: string;
}) {
  const allowed = props.allowed ?? true;
  return (
    <button
      type="button"
      className={cx(
        ui.button,
        props.tone === 'primary' && ui.primary,
        props.tone === 'danger' && ui.danger,
      )}
      disabled={!allowed || props.disabled}
      title={allowed ? undefined : (props.why ?? 'needs the editor role')}
      onClick={props.onClick}
      data-testid={props.testId}
    >
      {props.children}
    </button>
  );
}

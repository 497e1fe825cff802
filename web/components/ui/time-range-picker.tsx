'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { PRESETS, type TimeRange } from './time-range';
import styles from './ui.module.css';

const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/**
 * Presets (1h … 7d) and a custom UTC range. The choice lives in the URL, so a view can be shared
 * and the server renders it; other query parameters (segment, feature) are kept.
 */
export function TimeRangePicker({ range }: { range: TimeRange }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [custom, setCustom] = useState(false);
  const [from, setFrom] = useState(local(range.from));
  const [to, setTo] = useState(local(range.to));
  const [error, setError] = useState<string>();

  const go = (set: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params.toString());
    for (const k of ['range', 'from', 'to', 'window']) next.delete(k);
    for (const [k, v] of Object.entries(set)) if (v) next.set(k, v);
    router.push(`${pathname}?${next.toString()}`, { scroll: false });
  };

  return (
    <div className={styles.rangePicker} data-testid="time-range">
      <div className={styles.segmented} role="group" aria-label="Time range">
        {PRESETS.map((p) => (
          <button
            key={p.key}
            type="button"
            title={p.title}
            aria-pressed={range.key === p.key}
            className={range.key === p.key ? styles.segActive : undefined}
            onClick={() => {
              setCustom(false);
              go({ range: p.key });
            }}
          >
            {p.label}
          </button>
        ))}
        <button
          type="button"
          aria-pressed={range.key === 'custom'}
          className={range.key === 'custom' || custom ? styles.segActive : undefined}
          onClick={() => setCustom((c) => !c)}
          title={range.key === 'custom' ? range.title : 'A fixed range (UTC)'}
        >
          {range.key === 'custom' ? range.title : 'Custom'}
        </button>
      </div>
      {custom && (
        <form
          className={styles.customRange}
          onSubmit={(e) => {
            e.preventDefault();
            const f = Date.parse(`${from}Z`);
            const t = Date.parse(`${to}Z`);
            if (!Number.isFinite(f) || !Number.isFinite(t)) return setError('both ends are needed');
            if (f >= t) return setError('from must be before to');
            setError(undefined);
            setCustom(false);
            go({ from: new Date(f).toISOString(), to: new Date(t).toISOString() });
          }}
        >
          <label>
            From (UTC)
            <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            To (UTC)
            <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <button type="submit">Apply</button>
          {error && (
            <span role="alert" className={styles.rangeError}>
              {error}
            </span>
          )}
        </form>
      )}
    </div>
  );
}

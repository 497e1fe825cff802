'use client';

import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import styles from './ui.module.css';

const INTERVALS = [
  { s: 0, label: 'Off' },
  { s: 10, label: '10s' },
  { s: 30, label: '30s' },
  { s: 60, label: '1m' },
  { s: 300, label: '5m' },
];
const STORAGE_KEY = 'osprey.refresh-seconds';

interface Refresh {
  /** Counts refreshes; panels that load data depend on it. */
  tick: number;
  seconds: number;
  paused: boolean;
  /** When a panel last got fresh data (ms), for "updated … ago". */
  updatedAt: number | null;
  setSeconds(s: number): void;
  setPaused(p: boolean): void;
  refreshNow(): void;
  markUpdated(): void;
}

const Context = createContext<Refresh | null>(null);

/**
 * The dashboard's auto-refresh clock: every `seconds` (chosen in the toolbar, remembered in the
 * browser) the tick advances and panels reload their data. Paused by hand, and while the tab is
 * hidden, so a background tab does not keep querying.
 */
export function RefreshProvider({ children }: { children: ReactNode }) {
  const [tick, setTick] = useState(0);
  const [seconds, setSecondsState] = useState(30);
  const [paused, setPaused] = useState(false);
  const [hidden, setHidden] = useState(false);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);

  useEffect(() => {
    const stored = Number(window.localStorage.getItem(STORAGE_KEY));
    if (INTERVALS.some((i) => i.s === stored) && window.localStorage.getItem(STORAGE_KEY) !== null)
      setSecondsState(stored);
    const onVisibility = () => setHidden(document.visibilityState === 'hidden');
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);

  useEffect(() => {
    if (seconds === 0 || paused || hidden) return;
    const timer = window.setInterval(() => setTick((t) => t + 1), seconds * 1000);
    return () => window.clearInterval(timer);
  }, [seconds, paused, hidden]);

  const setSeconds = useCallback((s: number) => {
    setSecondsState(s);
    window.localStorage.setItem(STORAGE_KEY, String(s));
  }, []);
  const refreshNow = useCallback(() => setTick((t) => t + 1), []);
  const markUpdated = useCallback(() => setUpdatedAt(Date.now()), []);

  const value = useMemo(
    () => ({
      tick,
      seconds,
      paused,
      updatedAt,
      setSeconds,
      setPaused,
      refreshNow,
      markUpdated,
    }),
    [tick, seconds, paused, updatedAt, setSeconds, refreshNow, markUpdated],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useRefresh(): Refresh {
  const value = useContext(Context);
  if (!value) throw new Error('useRefresh needs a RefreshProvider above it');
  return value;
}

/** Interval, pause / resume, refresh now, and how fresh the data is. */
export function RefreshControl() {
  const r = useRefresh();
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const age = r.updatedAt && now ? Math.max(0, Math.round((now - r.updatedAt) / 1000)) : null;
  const running = r.seconds > 0 && !r.paused;
  return (
    <div className={styles.refresh} data-testid="auto-refresh">
      <button
        type="button"
        className={styles.iconButton}
        onClick={r.refreshNow}
        title="Refresh now"
        aria-label="Refresh now"
      >
        ↻
      </button>
      <select
        aria-label="Auto-refresh interval"
        value={r.seconds}
        onChange={(e) => r.setSeconds(Number(e.target.value))}
      >
        {INTERVALS.map((i) => (
          <option key={i.s} value={i.s}>
            {i.s === 0 ? 'Auto-refresh off' : `Every ${i.label}`}
          </option>
        ))}
      </select>
      {r.seconds > 0 && (
        <button
          type="button"
          className={styles.iconButton}
          onClick={() => r.setPaused(!r.paused)}
          aria-pressed={r.paused}
          title={r.paused ? 'Resume auto-refresh' : 'Pause auto-refresh'}
          aria-label={r.paused ? 'Resume auto-refresh' : 'Pause auto-refresh'}
        >
          {r.paused ? '▶' : '❚❚'}
        </button>
      )}
      <span className={styles.freshness} aria-live="polite">
        <span className={running ? styles.liveDot : styles.pausedDot} />
        {age === null
          ? running
            ? 'live'
            : 'manual'
          : age < 2
            ? 'updated now'
            : `updated ${age}s ago`}
      </span>
    </div>
  );
}

/**
 * Data a server page rendered, reloaded on every refresh tick through `load` (a GET of `/api/v1`
 * with the session cookie). A failed reload keeps the last data and says why.
 */
export function useRefreshed<T>(
  initial: T,
  load: () => Promise<T>,
): { data: T; error: string | undefined; loading: boolean } {
  const { tick, markUpdated } = useRefresh();
  const [data, setData] = useState(initial);
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  // The page re-rendered on the server (a new range or segment): start from its data.
  useEffect(() => setData(initial), [initial]);
  useEffect(() => markUpdated(), [initial, markUpdated]);
  useEffect(() => {
    if (tick === 0) return;
    let cancelled = false;
    setLoading(true);
    load()
      .then((d) => {
        if (cancelled) return;
        setData(d);
        setError(undefined);
        markUpdated();
      })
      .catch((e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
    // Reload on ticks only: `load` is a new function on every render.
  }, [tick]);
  return { data, error, loading };
}

/** GET a dashboard API path; throws the API's error message. */
export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) {
    const message = (body as { error?: string } | undefined)?.error ?? res.statusText;
    throw new Error(`${res.status}: ${message}`);
  }
  return body as T;
}

'use client';

import type { ShadowRun } from '@osprey/shadow-runner/api';
import { useEffect, useRef, useState } from 'react';
import { callApi, describeError } from '@/lib/actions/api-client';
import { isActive } from './status';

const POLL_MS = 1000;

/**
 * Keeps active runs fresh by polling each one's GET route every second; `onSettled` is called
 * once for each run that leaves queued/running/cancelling while watched.
 */
export function useRunPolling(initial: ShadowRun[], onSettled?: (run: ShadowRun) => void) {
  const [fresh, setFresh] = useState<Record<string, ShadowRun>>({});
  const settled = useRef(onSettled);
  settled.current = onSettled;
  const runs = initial.map((r) => {
    const f = fresh[r.id];
    return f && Date.parse(f.created_at) === Date.parse(r.created_at) && rank(f) >= rank(r) ? f : r;
  });
  const activeKey = runs
    .filter(isActive)
    .map((r) => `${r.model}/${r.id}`)
    .join(',');

  useEffect(() => {
    if (!activeKey) return;
    let stopped = false;
    const tick = async () => {
      const updates = await Promise.all(
        activeKey.split(',').map(async (key) => {
          const [model, id] = key.split('/') as [string, string];
          const res = await callApi<ShadowRun>(
            'GET',
            `/api/v1/models/${encodeURIComponent(model)}/shadow-runs/${id}`,
          );
          return res.ok ? res.data! : undefined;
        }),
      );
      if (stopped) return;
      setFresh((prev) => {
        const next = { ...prev };
        for (const u of updates) if (u) next[u.id] = u;
        return next;
      });
      for (const u of updates) if (u && !isActive(u)) settled.current?.(u);
    };
    const timer = setInterval(() => void tick(), POLL_MS);
    void tick();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [activeKey]);

  /** Cancels a run (queued: at once; running: after its batch); answers the refusal, if any. */
  async function cancel(run: ShadowRun): Promise<string | undefined> {
    const res = await callApi<ShadowRun>(
      'POST',
      `/api/v1/models/${encodeURIComponent(run.model)}/shadow-runs/${run.id}/cancel`,
    );
    if (!res.ok) return describeError(res);
    setFresh((prev) => ({ ...prev, [run.id]: res.data! }));
    return undefined;
  }
  return { runs, cancel };
}

/** Later states win over earlier ones, so a slow answer never moves a run backwards. */
function rank(run: ShadowRun): number {
  const order = isActive(run) ? 0 : 1;
  return order * 1e15 + run.progress.rows_done;
}

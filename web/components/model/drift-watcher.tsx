'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { useRefresh } from '@/components/ui/refresh';

/**
 * Drift and performance results change once per detector window. On each refresh tick this asks
 * GET /api/v1/models/{model}/drift for the latest window and re-renders the server's drift and
 * performance sections only when a newer window has landed.
 */
export function DriftWatcher(props: {
  model: string;
  latestWindowEnd: string | null;
  segment?: { tag: string; value: string };
}) {
  const router = useRouter();
  const { tick } = useRefresh();
  const seen = useRef(props.latestWindowEnd);
  useEffect(() => {
    seen.current = props.latestWindowEnd;
  }, [props.latestWindowEnd]);
  useEffect(() => {
    if (tick === 0) return;
    const q = props.segment
      ? `?${new URLSearchParams({ segment: `${props.segment.tag}=${props.segment.value}` })}`
      : '';
    fetch(`/api/v1/models/${encodeURIComponent(props.model)}/drift${q}`, { cache: 'no-store' })
      .then((res) => (res.ok ? (res.json() as Promise<{ window?: { to?: string } }>) : undefined))
      .then((doc) => {
        const end = doc?.window?.to;
        if (end && (!seen.current || Date.parse(end) > Date.parse(seen.current))) {
          seen.current = end;
          router.refresh();
        }
      })
      .catch(() => undefined);
  }, [tick, props.model, props.segment, router]);
  return null;
}

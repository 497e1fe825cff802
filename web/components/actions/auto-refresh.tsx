'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { RefreshControl, useRefresh } from '@/components/ui/refresh';

/**
 * The shell's refresh control for a page drawn on the server: each tick re-renders the page
 * (router.refresh keeps open forms and dialogs as they are), so a firing alert or an automatic
 * rollback shows up without a reload.
 */
export function AutoRefresh() {
  const router = useRouter();
  const { tick, markUpdated } = useRefresh();
  useEffect(() => {
    if (tick > 0) router.refresh();
    markUpdated();
  }, [tick, router, markUpdated]);
  return <RefreshControl />;
}

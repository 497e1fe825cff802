'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ComponentProps } from 'react';

/**
 * A link that prefetches on intent only (pointer over it, keyboard focus, a touch), never because
 * it scrolled into view: the drift heatmap's cells made one background request each, and the
 * sidebar's links were prefetched again on every page although its pages are all dynamic.
 */
export function IntentLink(
  props: Omit<ComponentProps<typeof Link>, 'prefetch' | 'href'> & { href: string },
) {
  const router = useRouter();
  const prefetch = () => router.prefetch(props.href);
  return (
    <Link
      {...props}
      prefetch={false}
      onMouseEnter={prefetch}
      onFocus={prefetch}
      onTouchStart={prefetch}
    />
  );
}

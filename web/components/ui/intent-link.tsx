'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ComponentProps } from 'react';

/**
 * A link that prefetches on intent only (pointer over it, keyboard focus, a touch), never because
 * it scrolled into view: for grids of many links, such as the drift heatmap's cells, where
 * viewport prefetching would make one background request per cell.
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

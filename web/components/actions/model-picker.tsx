'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { ui } from './primitives';

/** The model a page is about, kept in `?model=` so the view can be linked to. */
export function ModelPicker(props: { models: string[]; value: string | undefined }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  if (props.models.length === 0) return null;
  return (
    <label className={ui.field} style={{ gridAutoFlow: 'column', alignItems: 'center', gap: 8 }}>
      Model
      <select
        name="model"
        value={props.value}
        onChange={(e) => {
          const next = new URLSearchParams(params.toString());
          next.set('model', e.target.value);
          router.push(`${pathname}?${next.toString()}`);
        }}
      >
        {props.models.map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
    </label>
  );
}

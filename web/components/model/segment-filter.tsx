'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import styles from './model.module.css';

/**
 * An option's value: the pair as JSON. Option values are HTML text, where a control character
 * such as NUL becomes U+FFFD, so no separator character can be trusted to come back.
 */
export const optionValue = (tag: string, value: string) => JSON.stringify([tag, value]);

function parseOption(option: string): { tag: string; value: string } | undefined {
  if (!option) return undefined;
  const [tag, value] = JSON.parse(option) as [string, string];
  return { tag, value };
}

/**
 * A tag = value filter (e.g. region = eu-west) kept in the URL as `tag` and `value`. The tags
 * offered are the model's configured segment keys, with the values of its recent predictions.
 */
export function SegmentFilter(props: {
  tags: { key: string; values: string[] }[];
  segment?: { tag: string; value: string };
}) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  if (props.tags.length === 0 && !props.segment) return null;
  const set = (segment: { tag: string; value: string } | undefined) => {
    const next = new URLSearchParams(params.toString());
    next.delete('tag');
    next.delete('value');
    next.delete('window');
    if (segment) {
      next.set('tag', segment.tag);
      next.set('value', segment.value);
    }
    router.push(`${pathname}?${next.toString()}`, { scroll: false });
  };
  const current = props.segment ? optionValue(props.segment.tag, props.segment.value) : '';
  return (
    <label
      className={`${styles.segment} ${props.segment ? styles.segmentActive : ''}`}
      data-testid="segment-filter"
    >
      Segment
      <select value={current} onChange={(e) => set(parseOption(e.target.value))}>
        <option value="">All traffic</option>
        {props.tags.map((t) => (
          <optgroup key={t.key} label={t.key}>
            {t.values.map((v) => (
              <option key={v} value={optionValue(t.key, v)}>
                {t.key} = {v}
              </option>
            ))}
          </optgroup>
        ))}
        {props.segment &&
          !props.tags.some(
            (t) => t.key === props.segment!.tag && t.values.includes(props.segment!.value),
          ) && (
            <option value={current}>
              {props.segment.tag} = {props.segment.value}
            </option>
          )}
      </select>
      {props.segment && (
        <button type="button" className={styles.clear} onClick={() => set(undefined)}>
          clear
        </button>
      )}
    </label>
  );
}

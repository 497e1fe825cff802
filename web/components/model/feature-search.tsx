import Form from 'next/form';
import { IntentLink as Link } from '@/components/ui/intent-link';
import { number } from '@/components/ui/format';
import styles from './heatmap.module.css';

/**
 * Finds any feature of the heatmap by name. The page sends only the top rows, so the search
 * runs on the server: it is the `q` parameter of the page, kept with the range and segment.
 */
export function FeatureSearch(props: {
  /** The model page's path. */
  action: string;
  /** The page's other parameters (range, segment), kept across a search. */
  keep: Record<string, string>;
  search: string | undefined;
  shown: number;
  total: number;
  matching: number;
}) {
  const clear = new URLSearchParams(props.keep).toString();
  return (
    <div className={styles.search}>
      <Form action={props.action} className={styles.searchForm} data-testid="feature-search">
        {Object.entries(props.keep).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <input
          type="search"
          name="q"
          defaultValue={props.search ?? ''}
          placeholder="Find a feature"
          aria-label="Find a feature by name"
          maxLength={256}
        />
        <button type="submit">Find</button>
      </Form>
      <span className={styles.searchNote} data-testid="feature-search-note">
        {note(props)}
        {props.search && (
          <>
            {' · '}
            <Link href={clear ? `${props.action}?${clear}` : props.action} scroll={false}>
              show the most drifted
            </Link>
          </>
        )}
      </span>
    </div>
  );
}

function note(p: { search: string | undefined; shown: number; total: number; matching: number }) {
  const total = `${number(p.total)} feature${p.total === 1 ? '' : 's'}`;
  if (p.search) {
    if (p.matching === 0) return `No feature of ${total} matches “${p.search}”`;
    const shown = p.matching > p.shown ? `, the ${number(p.shown)} most drifted shown` : '';
    return `${number(p.matching)} of ${total} match “${p.search}”${shown}`;
  }
  return p.total > p.shown
    ? `The ${number(p.shown)} most drifted of ${total}: search for any other`
    : `${total}, most drifted first`;
}

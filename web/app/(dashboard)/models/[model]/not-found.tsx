import { IntentLink as Link } from '@/components/ui/intent-link';
import styles from '@/components/model/model.module.css';

/** A model page for a name that never logged a prediction. */
export default function ModelNotFound() {
  return (
    <div className={styles.emptyState} data-testid="model-not-found">
      <h2>No such model</h2>
      <p>
        Nothing has been logged under this name. Models appear on the <Link href="/">Overview</Link>{' '}
        once their first prediction arrives.
      </p>
    </div>
  );
}

import { Tables, type Store } from '@osprey/db';
import type { ModelSettings } from '../settings/model-settings';
import {
  predictionRows,
  referenceDatasetRows,
  segmentLabel,
  type RowSet,
  type Segment,
} from '../sql/rows';
import type { Window } from '../window';

export type ReferenceSource = 'dataset' | 'range' | 'previous_window';

/** What a window is compared with, resolved to concrete rows. */
export interface Reference {
  source: ReferenceSource;
  /** Names the reference's rows; its profile is stored under this key. */
  key: string;
  rows: RowSet;
  /** For the API: the dataset's id or the time range. */
  detail: { reference_id?: string; from?: string; to?: string };
}

export interface Scope {
  model: string;
  window: Window;
  version?: string;
  segment?: Segment;
}

/**
 * The model's chosen reference, or the default: its latest reference dataset when one was
 * logged, else the previous window. Undefined when the choice names a dataset that does not exist.
 */
export async function resolveReference(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
): Promise<Reference | undefined> {
  const choice = settings.reference;
  // A dataset describes the model's inputs whatever version is looked at: no version in its key.
  const scoped = (key: string, version = scope.version) =>
    [key, version && `v=${version}`, scope.segment && `s=${segmentLabel(scope.segment)}`]
      .filter(Boolean)
      .join('|');
  if (choice?.source === 'range') {
    const from = new Date(choice.from!).getTime();
    const to = new Date(choice.to!).getTime();
    return {
      source: 'range',
      key: scoped(`range:${from}/${to}`),
      rows: predictionRows('ref', { ...scope, from, to }),
      detail: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    };
  }
  if (choice === undefined || choice.source === 'dataset') {
    const referenceId = choice?.reference_id ?? (await latestDataset(store, scope.model));
    if (referenceId) {
      return {
        source: 'dataset',
        key: scoped(`dataset:${referenceId}`, ''),
        rows: referenceDatasetRows('ref', {
          model: scope.model,
          referenceId,
          segment: scope.segment,
        }),
        detail: { reference_id: referenceId },
      };
    }
    if (choice) return undefined;
  }
  const length = scope.window.to - scope.window.from;
  const from = scope.window.from - length;
  return {
    source: 'previous_window',
    key: scoped(`window:${from}/${scope.window.from}`),
    rows: predictionRows('ref', { ...scope, from, to: scope.window.from }),
    detail: { from: new Date(from).toISOString(), to: new Date(scope.window.from).toISOString() },
  };
}

/** The model's most recently logged reference dataset. */
export async function latestDataset(store: Store, model: string): Promise<string | undefined> {
  const rows = await store.query<{ reference_id: string }>(
    `SELECT reference_id FROM ${Tables.referenceRows} WHERE model = {model:String}
     GROUP BY reference_id ORDER BY max(timestamp) DESC LIMIT 1`,
    { model },
  );
  return rows[0]?.reference_id;
}

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
import type { KnownReference } from './known';

export type ReferenceSource = 'dataset' | 'range' | 'previous_window';

/** What a window is compared with, resolved to concrete rows. */
export interface Reference {
  source: ReferenceSource;
  /** Names the reference's rows; its profile is stored under this key. */
  key: string;
  rows: RowSet;
  /** For the API: the dataset's id or the time range. */
  detail: { reference_id?: string; from?: string; to?: string };
  /** What a batched pass already looked up of these rows (known.ts; used where its key matches). */
  known?: KnownReference;
}

export interface Scope {
  model: string;
  window: Window;
  version?: string;
  segment?: Segment;
}

/**
 * A scope with its model's settings: what a detector family detects. A family detects a list of
 * targets of one window together (a scheduler pass's whole models, sharing statements grouped by
 * model), or a single target of any scope.
 */
export interface Target {
  scope: Scope;
  settings: ModelSettings;
}

/** What a stored detection says it was compared with (its drift document's `reference`). */
export interface ComparedWith {
  source: ReferenceSource;
  /** The reference's key (see Reference.key): equal keys, equal rows. */
  key: string;
  size: number;
  reference_id?: string;
  from?: string;
  to?: string;
}

/**
 * The model's chosen reference, or the default: its latest reference dataset when one was
 * logged, else the previous window. Undefined when the choice names a dataset that does not exist.
 * `known`: what a batched pass looked up of the target's reference, carried along.
 */
export async function resolveReference(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  known?: KnownReference,
): Promise<Reference | undefined> {
  const ref = await chosenReference(store, settings, scope);
  return ref && known ? { ...ref, known } : ref;
}

async function chosenReference(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
): Promise<Reference | undefined> {
  const choice = settings.reference;
  if (choice?.source === 'range') {
    return rangeReference(scope, new Date(choice.from!).getTime(), new Date(choice.to!).getTime());
  }
  if (choice === undefined || choice.source === 'dataset') {
    const referenceId = choice?.reference_id ?? (await latestDataset(store, scope.model));
    if (referenceId) return datasetReference(scope, referenceId);
    if (choice) return undefined;
  }
  const length = scope.window.to - scope.window.from;
  return previousWindowReference(scope, scope.window.from - length);
}

/**
 * The settings with the default reference made explicit: the model's latest dataset, else the
 * previous window. A window's detectors each resolve the reference; with this they look the
 * dataset up once between them.
 */
export async function withDefaultReference(
  store: Store,
  model: string,
  settings: ModelSettings,
): Promise<ModelSettings> {
  return (await withDefaultReferenceOf(store, new Map([[model, settings]]))).get(model)!;
}

/** withDefaultReference for several models, their datasets looked up in one statement. */
export async function withDefaultReferenceOf(
  store: Store,
  settingsOf: ReadonlyMap<string, ModelSettings>,
): Promise<Map<string, ModelSettings>> {
  const defaulted = [...settingsOf].filter(([, s]) => !s.reference).map(([model]) => model);
  const datasets = defaulted.length > 0 ? await latestDatasets(store, defaulted) : new Map();
  return new Map(
    [...settingsOf].map(([model, settings]) => {
      if (settings.reference) return [model, settings];
      const referenceId = datasets.get(model);
      return [
        model,
        {
          ...settings,
          reference: referenceId
            ? { source: 'dataset', reference_id: referenceId }
            : { source: 'previous_window' },
        },
      ];
    }),
  );
}

/**
 * The reference a window was compared with, from what its stored detection says: the rows it
 * was compared with then, whatever the model's reference is now.
 */
export function comparedReference(compared: ComparedWith, scope: Scope): Reference | undefined {
  const ms = (iso: string | undefined) => (iso === undefined ? NaN : Date.parse(iso));
  if (compared.source === 'dataset')
    return compared.reference_id ? datasetReference(scope, compared.reference_id) : undefined;
  const from = ms(compared.from);
  const to = ms(compared.to);
  if (Number.isNaN(from) || Number.isNaN(to)) return undefined;
  return compared.source === 'range'
    ? rangeReference(scope, from, to)
    : previousWindowReference(scope, from, to);
}

// A dataset describes the model's inputs whatever version is looked at: no version in its key.
function scopedKey(scope: Scope, key: string, version = scope.version): string {
  return [key, version && `v=${version}`, scope.segment && `s=${segmentLabel(scope.segment)}`]
    .filter(Boolean)
    .join('|');
}

function rangeReference(scope: Scope, from: number, to: number): Reference {
  return {
    source: 'range',
    key: scopedKey(scope, `range:${from}/${to}`),
    rows: predictionRows('ref', { ...scope, from, to }),
    detail: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
  };
}

function datasetReference(scope: Scope, referenceId: string): Reference {
  return {
    source: 'dataset',
    key: scopedKey(scope, `dataset:${referenceId}`, ''),
    rows: referenceDatasetRows('ref', {
      model: scope.model,
      referenceId,
      segment: scope.segment,
    }),
    detail: { reference_id: referenceId },
  };
}

function previousWindowReference(scope: Scope, from: number, to = scope.window.from): Reference {
  return {
    source: 'previous_window',
    key: scopedKey(scope, `window:${from}/${to}`),
    rows: predictionRows('ref', { ...scope, from, to }),
    detail: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
  };
}

/** The model's most recently logged reference dataset. */
export async function latestDataset(store: Store, model: string): Promise<string | undefined> {
  return (await latestDatasets(store, [model])).get(model);
}

/** Each model's most recently logged reference dataset, for the models that have one. */
async function latestDatasets(
  store: Store,
  models: readonly string[],
): Promise<Map<string, string>> {
  const rows = await store.query<{ model: string; reference_id: string }>(
    `SELECT model, argMax(reference_id, last) AS reference_id
     FROM (SELECT model, reference_id, max(timestamp) AS last FROM ${Tables.referenceRows}
           WHERE model IN {models:Array(String)} GROUP BY model, reference_id)
     GROUP BY model`,
    { models },
  );
  return new Map(rows.map((r) => [r.model, r.reference_id]));
}

import { z } from 'zod';
import { listModels } from '../queries/models';
import type { Store } from '../store/store';
import { Tables } from '../tables';
import { epochMsToIso } from '../queries/codecs';
import type { SeriesSource } from './series';

export interface ModelVersions {
  model: string;
  versions: string[];
  last_seen: string;
}

const row = z.object({ model: z.string(), versions: z.array(z.string()), last_seen: epochMsToIso });

/**
 * Every model with logged predictions (within retention), its versions and its latest event:
 * from the hourly rollup, or with `raw` from predictions (listModels, a scan of the table).
 */
export async function modelVersions(
  store: Store,
  source: SeriesSource = 'auto',
): Promise<ModelVersions[]> {
  if (source === 'raw') return listModels(store);
  const rows = await store.query(
    `SELECT model, arraySort(groupUniqArray(version)) AS versions,
            toUnixTimestamp64Milli(max(last_seen)) AS last_seen
     FROM ${Tables.predictions1h} GROUP BY model ORDER BY model`,
  );
  return rows.map((r) => row.parse(r));
}

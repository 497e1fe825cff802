import type { ModelSettings } from '@osprey/detectors';
import { callApi, describeError } from '@/lib/actions/api-client';

/** PUT …/settings with the rest of the settings unchanged: an error message, or undefined. */
export async function saveModelSettings(
  model: string,
  settings: ModelSettings,
  change: Partial<ModelSettings>,
): Promise<string | undefined> {
  const result = await callApi('PUT', `/api/v1/models/${encodeURIComponent(model)}/settings`, {
    ...settings,
    ...change,
  });
  return result.ok ? undefined : describeError(result);
}

import { latestDeployment, listModels, listRegisteredModels } from '@osprey/db';
import { latestRun, listAlerts } from '@osprey/detectors';
import type { WebRuntime } from '../../server/runtime';
import { driftStatus, type DriftStatus } from './drift-status';

/** One model as the /models list shows it: what it is and how it stands, over its whole life. */
export interface ModelListEntry {
  model: string;
  production_version: string | null;
  /** Versions that logged predictions. */
  logged_versions: string[];
  /** Versions in the registry (uploaded ONNX artifacts). */
  registered_versions: number;
  /** Every prediction it ever logged (within retention). */
  events: number;
  last_seen: string | null;
  drift: DriftStatus;
  firing_alerts: number;
}

/** Every model Osprey knows: those that logged predictions and those only registered. */
export async function loadModelList(rt: WebRuntime): Promise<ModelListEntry[]> {
  const [logged, registered, firing] = await Promise.all([
    listModels(rt.store),
    listRegisteredModels(rt.store),
    listAlerts(rt.store, { state: 'firing' }),
  ]);
  const loggedOf = new Map(logged.map((m) => [m.model, m]));
  const names = [...new Set([...loggedOf.keys(), ...registered])].sort();
  return Promise.all(
    names.map(async (model) => {
      const [deployment, drift, versions] = await Promise.all([
        latestDeployment(rt.store, model),
        latestRun(rt.store, { model, detector: 'drift' }),
        rt.models ? rt.models.registry.versions(model) : Promise.resolve([]),
      ]);
      const m = loggedOf.get(model);
      return {
        model,
        production_version: deployment?.version ?? null,
        logged_versions: m?.versions ?? [],
        registered_versions: versions.length,
        events: m?.events ?? 0,
        last_seen: m?.last_seen ?? null,
        drift: driftStatus(drift),
        firing_alerts: firing.filter((a) => a.model === model).length,
      };
    }),
  );
}

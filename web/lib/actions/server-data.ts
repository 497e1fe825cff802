import { listApiKeys, listModels, listRegisteredModels, listUsers } from '@osprey/db';
import { runtime } from '@/server/runtime';

/** Models that logged predictions or have a registered version, by name. */
export async function knownModels(): Promise<string[]> {
  const { store } = runtime();
  const [logged, registered] = await Promise.all([listModels(store), listRegisteredModels(store)]);
  return [...new Set([...logged.map((m) => m.model), ...registered])].sort();
}

/** `user:<id>` → the user's email, `api_key:<id>` → "key <name>", for the logs pages show. */
export async function actorNames(): Promise<Record<string, string>> {
  const { store } = runtime();
  const [users, keys] = await Promise.all([listUsers(store), listApiKeys(store)]);
  return Object.fromEntries([
    ...users.map((u) => [`user:${u.id}`, u.email]),
    ...keys.map((k) => [`api_key:${k.id}`, `key “${k.name}”`]),
  ]);
}

/** The `model` search parameter when it names a known model, else the first. */
export function chooseModel(models: string[], wanted: string | string[] | undefined) {
  const w = Array.isArray(wanted) ? wanted[0] : wanted;
  return w && models.includes(w) ? w : models[0];
}

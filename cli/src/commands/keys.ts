import { createApiKey, parseEnv, recordAudit, scopeSchema, type ApiKey } from '@osprey/db';
import { z } from 'zod';
import { commandEnv } from '../env';
import { callServer, serverHoldingStore } from './via-server';
import { withStore } from './with-store';

const createArgs = z.object({
  name: z.string({ error: '--name is required' }).min(1, '--name must not be empty').max(200),
  scopes: z
    .string({ error: '--scopes is required, e.g. --scopes ingest,read' })
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(scopeSchema).min(1, '--scopes needs at least one of ingest, read, admin')),
});

/**
 * `osprey keys create --name N --scopes ingest,read`: prints the new key once. While `osprey
 * start` holds the data directory, the key is created through its API (`POST /api/v1/api-keys`).
 */
export async function keysCommand(
  sub: string | undefined,
  values: Record<string, unknown>,
): Promise<void> {
  if (sub !== 'create')
    throw new Error('usage: osprey keys create --name NAME --scopes ingest,read,admin');
  const parsed = createArgs.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const { name, scopes } = parsed.data;
  const server = serverHoldingStore(parseEnv(commandEnv));
  if (server) {
    const created = await callServer<ApiKey & { key: string }>(server, 'POST', '/api/v1/api-keys', {
      name,
      scopes,
    });
    return announce(created, created.key);
  }
  await withStore(
    { migrate: true, whileServerRuns: 'stop it to create keys here' },
    async (store) => {
      const { key, apiKey } = await createApiKey(store, { name, scopes });
      await recordAudit(store, {
        actor: 'cli',
        action: 'api_key.create',
        target: apiKey.id,
        details: { name, scopes },
      });
      announce(apiKey, key);
    },
  );
}

function announce(apiKey: ApiKey, key: string): void {
  console.error(
    `created API key '${apiKey.name}' (id ${apiKey.id}, scopes ${apiKey.scopes.join(',')}); it is shown only once:`,
  );
  console.log(key);
}

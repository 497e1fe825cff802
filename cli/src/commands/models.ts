import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { runningServer } from '../server/local-access';

const USAGE = `usage:
  osprey models push FILE.onnx --model M --version V --features f1,f2,…
  osprey models promote --model M --version V --reason "why"
  osprey models rollback --model M [--to V] --reason "why"
  osprey models versions --model M
  osprey models production --model M
(talks to a running Osprey: OSPREY_URL, default http://localhost:$OSPREY_PORT or :3000, with OSPREY_API_KEY;
 without both, the server running on OSPREY_DATA_DIR, default ./.osprey, found by its server.json)`;

const clientEnv = z.object({
  OSPREY_URL: z.url({ error: 'must be a URL such as http://localhost:3000' }).optional(),
  OSPREY_PORT: z.coerce.number().int().default(3000),
  OSPREY_API_KEY: z.string({ error: 'is required: an API key with the admin scope' }).min(1),
});
const dataDirEnv = z.object({ OSPREY_DATA_DIR: z.string().min(1).default('./.osprey') });

export interface ModelsArgs {
  model?: string;
  version?: string;
  features?: string;
  reason?: string;
  to?: string;
}

/** `osprey models …`: a thin client of the registry API (the running server owns the store). */
export async function modelsCommand(
  sub: string | undefined,
  file: string | undefined,
  args: ModelsArgs,
): Promise<void> {
  const local =
    process.env.OSPREY_URL || process.env.OSPREY_API_KEY
      ? undefined
      : runningServer(dataDirEnv.parse(process.env).OSPREY_DATA_DIR);
  const env = clientEnv.safeParse(
    local ? { ...process.env, OSPREY_URL: local.url, OSPREY_API_KEY: local.token } : process.env,
  );
  if (!env.success) {
    const issue = env.error.issues[0]!;
    throw new Error(`${issue.path.join('.')}: ${issue.message}`);
  }
  const base = env.data.OSPREY_URL ?? `http://localhost:${env.data.OSPREY_PORT}`;
  const call = (method: string, path: string, body?: string | FormData, type?: string) =>
    request(base, env.data.OSPREY_API_KEY, method, path, body, type);
  const model = () => need(args.model, '--model');
  const m = () => encodeURIComponent(model());
  switch (sub) {
    case 'push': {
      if (!file) throw new Error(`push needs the ONNX file\n\n${USAGE}`);
      const query = new URLSearchParams({
        version: need(args.version, '--version'),
        features: need(args.features, '--features'),
      });
      const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
        throw new Error(`cannot read ${file}: ${e.code ?? e.message}`);
      });
      const form = new FormData();
      form.set('file', new Blob([bytes]), basename(file));
      for (const [k, v] of query) form.set(k, v);
      return print(await call('POST', `/api/v1/models/${m()}/versions`, form));
    }
    case 'promote':
      return print(
        await call(
          'POST',
          `/api/v1/models/${m()}/promote`,
          JSON.stringify({
            version: need(args.version, '--version'),
            reason: need(args.reason, '--reason'),
          }),
          'application/json',
        ),
      );
    case 'rollback':
      return print(
        await call(
          'POST',
          `/api/v1/models/${m()}/rollback`,
          JSON.stringify({ to: args.to, reason: need(args.reason, '--reason') }),
          'application/json',
        ),
      );
    case 'versions':
      return print(await call('GET', `/api/v1/models/${m()}/versions`));
    case 'production':
      return print(await call('GET', `/v1/models/${m()}/production`));
    default:
      throw new Error(USAGE);
  }
}

function need(value: string | undefined, flag: string): string {
  if (!value) throw new Error(`${flag} is required\n\n${USAGE}`);
  return value;
}

async function request(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: string | FormData,
  type?: string,
): Promise<unknown> {
  const url = new URL(path, base);
  const res = await fetch(url, {
    method,
    body,
    headers: { authorization: `Bearer ${key}`, ...(type ? { 'content-type': type } : {}) },
  }).catch((e: Error) => {
    throw new Error(
      `cannot reach Osprey at ${url.origin} (${e.cause ?? e.message}); is it running? set OSPREY_URL`,
    );
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const message = (json as { error?: string } | null)?.error ?? text;
    throw new Error(`${method} ${url.pathname} answered ${res.status}: ${message}`);
  }
  return json;
}

function print(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

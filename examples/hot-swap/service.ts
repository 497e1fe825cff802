/**
 * An example prediction service that always runs the model Osprey says is in production and
 * swaps it without a restart when someone promotes or rolls back (or an alert rolls back):
 *
 *   OSPREY_URL=http://localhost:3000 OSPREY_API_KEY=… MODEL=house-prices PORT=8080 \
 *     npx tsx examples/hot-swap/service.ts
 *   curl -s localhost:8080/predict -d '{"rooms":4,"bedrooms":3,"area_sqm":92.5,…}'
 *
 * It polls GET /v1/models/{model}/production with ETag (a 304 while nothing changes), downloads
 * the new artifact (checked against its sha256), opens it with onnxruntime-node, and only then
 * swaps: requests in flight finish on the old session. Each prediction is logged back to Osprey
 * under the version that made it.
 */
import { createServer } from 'node:http';
import { Osprey, type Production } from '@osprey/sdk';
import ort from 'onnxruntime-node';

const url = process.env.OSPREY_URL ?? 'http://localhost:3000';
const apiKey = process.env.OSPREY_API_KEY ?? '';
const model = process.env.MODEL ?? 'house-prices';
const port = Number(process.env.PORT ?? 8080);
const pollMs = Number(process.env.POLL_MS ?? 2000);
if (!apiKey) throw new Error('OSPREY_API_KEY is required (a key with the read and ingest scopes)');

interface Loaded {
  version: string;
  session: ort.InferenceSession;
  /** The version's input spec from the registry: which features make which input, in order. */
  inputs: { name: string; features: string[] }[];
}

const osprey = new Osprey({ url, apiKey });
let current: Loaded | undefined;

async function load(production: Production): Promise<Loaded> {
  const bytes = await osprey.fetchArtifact(production);
  const res = await fetch(`${url}/api/v1/models/${encodeURIComponent(model)}/versions`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  const versions = (await res.json()) as {
    version: string;
    input_spec: { inputs: Loaded['inputs'] };
  }[];
  const spec = versions.find((v) => v.version === production.version)?.input_spec;
  if (!spec) throw new Error(`no input spec for ${model} ${production.version}`);
  const session = await ort.InferenceSession.create(bytes);
  return { version: production.version, session, inputs: spec.inputs };
}

osprey.watchProduction(
  model,
  (production) => {
    if (!production || production.version === current?.version) return;
    load(production).then(
      (next) => {
        const previous = current;
        current = next;
        console.log(
          JSON.stringify({
            msg: 'model swapped',
            from: previous?.version ?? null,
            to: next.version,
          }),
        );
        // Let requests already running on the old session finish before releasing it.
        if (previous) setTimeout(() => void previous.session.release(), 5_000).unref();
      },
      (err: unknown) => console.error(JSON.stringify({ msg: 'load failed', err: String(err) })),
    );
  },
  {
    intervalMs: pollMs,
    onError: (err) => console.error(JSON.stringify({ msg: 'poll failed', err: err.message })),
  },
);

async function predict(features: Record<string, unknown>) {
  const loaded = current;
  if (!loaded) return undefined;
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of loaded.inputs) {
    const row = input.features.map((f) => {
      const v = features[f];
      return typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : NaN;
    });
    feeds[input.name] = new ort.Tensor('float32', Float32Array.from(row), [1, row.length]);
  }
  const started = performance.now();
  const out = await loaded.session.run(feeds);
  const latency = performance.now() - started;
  const prediction = Number(Object.values(out)[0]!.data[0]);
  osprey.log({
    model,
    version: loaded.version,
    features: features as Record<string, number | string | boolean | null>,
    prediction,
    latency_ms: latency,
  });
  return { version: loaded.version, prediction };
}

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/predict') return res.writeHead(404).end();
  let text = '';
  req.on('data', (d: Buffer) => (text += d.toString()));
  req.on('end', () => {
    let features: Record<string, unknown>;
    try {
      features = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return res.writeHead(400).end('{"error":"body: must be a JSON object of features"}');
    }
    predict(features).then(
      (answer) =>
        answer
          ? res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
          : res.writeHead(503).end('{"error":"no production model yet"}'),
      (err: unknown) => res.writeHead(500).end(JSON.stringify({ error: String(err) })),
    );
  });
});
server.listen(port, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening', port })));
const stop = () => {
  server.close();
  void osprey.close(2_000).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

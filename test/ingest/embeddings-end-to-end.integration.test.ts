import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Osprey } from '@osprey/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlRows } from '../support/osprey-cli';
import { REPO_ROOT, startOsprey, type OspreyProcess } from '../support/osprey-process';

// Vectors and texts from both SDKs and raw HTTP through a real `osprey start` (collector, embedded
// batch writer, chDB), read back from prediction_embeddings / prediction_texts and the reference
// tables; every refusal names the field and costs no neighbour.
let osprey: OspreyProcess;
beforeAll(async () => {
  osprey = await startOsprey();
});
afterAll(async () => {
  await osprey?.stop();
});

const python = () =>
  existsSync(join(REPO_ROOT, '.venv/bin/python')) ? join(REPO_ROOT, '.venv/bin/python') : 'python3';

const post = async (path: string, body: string) => {
  const res = await fetch(`${osprey.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${osprey.apiKey}`, 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as unknown };
};

describe('embeddings and text end to end', () => {
  const model = `emb-e2e-${Date.now()}`;

  it('stores what both SDKs log, and names each refusal while keeping the rest', async () => {
    const client = new Osprey({ url: osprey.url, apiKey: osprey.apiKey, flushIntervalMs: 50 });
    for (let i = 0; i < 100; i++) {
      client.log({
        model,
        version: 'ts',
        features: { i },
        prediction: i,
        embeddings: { query: Float32Array.from({ length: 8 }, (_, d) => i + d / 10) },
        text: { prompt: i === 0 ? 'lone \ud800 surrogate' : `prompt number ${i}` },
      });
    }
    await client.close();
    expect(client.stats()).toMatchObject({ sent: 100, rejected: 0, invalid: 0 });

    const script = [
      'import json, sys, numpy as np',
      'from osprey import Osprey',
      'with Osprey(sys.argv[1], sys.argv[2]) as c:',
      '    for i in range(20):',
      '        c.log(sys.argv[3], "py", {"i": i}, i, embeddings={"query": np.arange(8, dtype=np.float32) + i}, text={"prompt": f"py {i}"})',
      '    c.flush(10)',
      '    print(json.dumps(c.stats()))',
    ].join('\n');
    const { stdout } = await promisify(execFile)(
      python(),
      ['-c', script, osprey.url, osprey.apiKey, model],
      { env: { ...process.env, PYTHONPATH: join(REPO_ROOT, 'sdk/python') } },
    );
    expect(JSON.parse(stdout.trim())).toMatchObject({ sent: 20, rejected: 0, invalid: 0 });

    // Raw JSON: a new dimension for "query", a non-finite number (1e309 parses as Infinity) and
    // a text over the limit are refused by name; their neighbours, a new name's first vector
    // included, are stored.
    const event = (i: number, extra: string) =>
      `{"model":"${model}","version":"raw","features":{"i":${i}},"prediction":${i}${extra}}`;
    const answer = await post(
      '/v1/predictions',
      `[${[
        event(0, ',"embeddings":{"query":[1,2,3]}'),
        event(1, ',"embeddings":{"query":[1,2,3,4,5,6,7,1e309]}'),
        event(2, ',"embeddings":{"doc":[0.5,0.5]},"text":{"prompt":""}'),
        event(3, `,"text":{"prompt":"${'x'.repeat(10_001)}"}`),
        event(4, ',"embeddings":{"doc":[1,2,3]}'),
        event(5, ',"embeddings":{"query":[8,7,6,5,4,3,2,1],"doc":[2,2]}'),
      ].join(',')}]`,
    );
    expect(answer).toEqual({
      status: 200,
      body: {
        accepted: 2,
        rejected: [
          {
            index: 0,
            error: `embeddings.query: expected 8 dimensions, got 3 (the dimension of model ${model}'s "query" is fixed by the first vector logged; log a new dimension under a new name)`,
          },
          { index: 1, error: 'embeddings.query.7: must be a finite number (not NaN or ±Infinity)' },
          { index: 3, error: 'text.prompt: must be at most 10000 characters' },
          {
            index: 4,
            error: `embeddings.doc: expected 2 dimensions, got 3 (the dimension of model ${model}'s "doc" is fixed by the first vector logged; log a new dimension under a new name)`,
          },
        ],
      },
    });
  });

  it('stores reference vectors and texts from both SDKs', async () => {
    const client = new Osprey({ url: osprey.url, apiKey: osprey.apiKey });
    const upload = await client.logReference(model, 'ts', [
      {
        features: { x: 1 },
        embeddings: { query: new Float32Array(8).fill(0.5) },
        text: { prompt: 'a b' },
      },
      { features: { x: 2 }, embeddings: { query: [1, 2] } },
    ]);
    await client.close();
    expect(upload.accepted).toBe(1);
    expect(upload.rejected).toEqual([
      {
        index: 1,
        error: `embeddings.query: expected 8 dimensions, got 2 (the dimension of model ${model}'s "query" is fixed by the first vector logged; log a new dimension under a new name)`,
      },
    ]);
    const script = [
      'import json, sys, numpy as np',
      'from osprey import Osprey',
      'with Osprey(sys.argv[1], sys.argv[2]) as c:',
      '    u = c.log_reference(sys.argv[3], "py", [{"features": {"x": 3}, "embeddings": {"query": np.ones(8)}, "text": {"prompt": "c d"}}])',
      'print(json.dumps([u.accepted, u.rejected]))',
    ].join('\n');
    const { stdout } = await promisify(execFile)(
      python(),
      ['-c', script, osprey.url, osprey.apiKey, model],
      { env: { ...process.env, PYTHONPATH: join(REPO_ROOT, 'sdk/python') } },
    );
    expect(JSON.parse(stdout.trim())).toEqual([1, []]);
  });

  // Last: it stops the shared server to read its store.
  it('reads back every stored vector and text under its event', async () => {
    await osprey.stop(); // chDB opens a data directory in one process only
    expect(
      await sqlRows(
        osprey.dataDir,
        `SELECT version, name, count(), uniqExact(length(vector)), min(vector[1]), max(vector[8])
         FROM prediction_embeddings WHERE model = '${model}' GROUP BY version, name ORDER BY version, name`,
      ),
    ).toEqual([
      ['py', 'query', '20', '1', '0', '26'],
      ['raw', 'doc', '2', '1', '0.5', '0'],
      ['raw', 'query', '1', '1', '8', '1'],
      ['ts', 'query', '100', '1', '0', '99.7'],
    ]);
    // Each vector joins its prediction by event_id.
    expect(
      await sqlRows(
        osprey.dataDir,
        `SELECT count() FROM prediction_embeddings e
         JOIN predictions p ON p.event_id = e.event_id AND p.model = e.model
         WHERE e.model = '${model}' AND p.num_features['i'] = e.vector[1] - if(e.version = 'raw', 3, 0)
           AND e.name = 'query'`,
      ),
    ).toEqual([['121']]);
    expect(
      await sqlRows(
        osprey.dataDir,
        `SELECT version, count(), countIf(text = ''), countIf(text = concat('lone ', char(0xEF, 0xBF, 0xBD), ' surrogate'))
         FROM prediction_texts WHERE model = '${model}' GROUP BY version ORDER BY version`,
      ),
    ).toEqual([
      ['py', '20', '0', '0'],
      ['raw', '1', '1', '0'],
      ['ts', '100', '0', '1'],
    ]);
    // The references and the registered dimensions, in one `osprey sql` (each costs a start).
    expect(
      await sqlRows(
        osprey.dataDir,
        `SELECT * FROM (SELECT 'embedding', version, name, toString(length(vector)), toString(vector[1])
         FROM reference_embeddings WHERE model = '${model}'
         UNION ALL SELECT 'text', version, name, text, '-' FROM reference_texts WHERE model = '${model}'
         UNION ALL SELECT 'dimension', '-', name, toString(dimension), '-'
         FROM embedding_dimensions WHERE model = '${model}')
         ORDER BY 1, 2, 3`,
      ),
    ).toEqual([
      ['dimension', '-', 'doc', '2', '-'],
      ['dimension', '-', 'query', '8', '-'],
      ['embedding', 'py', 'query', '8', '1'],
      ['embedding', 'ts', 'query', '8', '0.5'],
      ['text', 'py', 'prompt', 'c d', '-'],
      ['text', 'ts', 'prompt', 'a b', '-'],
    ]);
  });
});

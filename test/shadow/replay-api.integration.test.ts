import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_MODELS as MODELS,
  HOUSE_FEATURES as FEATURES,
  pythonOrt,
} from '../../shadow-runner/src/testing/python';
import { checkLiveMirror } from '../support/live-mirror';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';
import { api, postAll } from '../support/upload';

const N = 400;

let osprey: OspreyProcess;
beforeAll(async () => {
  osprey = await startOsprey({ env: { OSPREY_DETECTORS: 'off', OSPREY_EP: 'auto' } });
});
afterAll(() => osprey?.stop());

interface Run {
  id: string;
  status: string;
  provider: string | null;
  progress: { rows_done: number; rows_total: number };
  summary: Record<string, unknown> | null;
  verdict: { decision: string } | null;
  error: string | null;
}

describe('shadow runs through the API of osprey start', () => {
  it('replays logged traffic through a candidate, reports progress and a verdict, and promotes from the run', async () => {
    const x = Array.from({ length: N }, (_, i) => [
      1 + (i % 6),
      1 + (i % 4),
      40 + ((i * 17) % 150),
      (i * 7) % 80,
      1 + (i % 15),
      i % 2,
    ]);
    const logged = (
      await pythonOrt(join(MODELS, 'house_price_linear.onnx'), {
        features: { dims: [N, 6], data: x.flat() },
      })
    ).price!;
    const start = Date.now() - 3_600_000;
    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/predictions',
      x.map((row, i) => ({
        model: 'houses',
        version: 'v1',
        timestamp: start + i * 1000,
        features: {
          ...Object.fromEntries(FEATURES.slice(0, 5).map((f, j) => [f, row[j]])),
          has_garden: row[5] === 1,
        },
        prediction: logged[i],
      })),
    );
    for (const [version, file] of [
      ['v1', 'house_price_linear.onnx'],
      ['v2', 'house_price_gbr.onnx'],
    ]) {
      const res = await fetch(
        `${osprey.url}/api/v1/models/houses/versions?version=${version}&features=${FEATURES.join(',')}`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${osprey.apiKey}` },
          body: readFileSync(join(MODELS, file!)),
        },
      );
      expect(res.status).toBe(201);
    }
    const bad = await api<{ error: string }>(
      osprey.url,
      osprey.apiKey,
      'POST',
      '/api/v1/models/houses/shadow-runs',
      { candidate_version: 'v2', from: start, to: start - 1 },
    );
    expect(bad).toEqual({ status: 400, body: { error: 'to: must be after from' } });
    const badLive = await api<{ error: string }>(
      osprey.url,
      osprey.apiKey,
      'POST',
      '/api/v1/models/houses/shadow-runs',
      {
        mode: 'live',
        candidate_version: 'v2',
        sample_rate: 2,
      },
    );
    expect(badLive).toEqual({ status: 400, body: { error: 'sample_rate: must be at most 1' } });

    const created = await api<Run>(
      osprey.url,
      osprey.apiKey,
      'POST',
      '/api/v1/models/houses/shadow-runs',
      {
        candidate_version: 'v1',
        from: new Date(start).toISOString(),
        to: new Date(start + N * 1000).toISOString(),
        batch_size: 64,
      },
    );
    expect(created.status).toBe(202);
    expect(created.body.progress.rows_total).toBe(N);
    let run = created.body;
    const deadline = Date.now() + 30_000;
    while (!['done', 'failed', 'cancelled'].includes(run.status)) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 100));
      run = (
        await api<Run>(
          osprey.url,
          osprey.apiKey,
          'GET',
          `/api/v1/models/houses/shadow-runs/${run.id}`,
        )
      ).body;
    }
    expect({ status: run.status, error: run.error }).toEqual({ status: 'done', error: null });
    expect(run.progress.rows_done).toBe(N);
    expect(run.summary).toMatchObject({ rows: N, abs_diff_max: 0, task: 'regression' });
    expect(['cuda', 'webgpu', 'cpu']).toContain(run.provider);
    expect(run.verdict?.decision).toBe('promote');

    const promoted = await api<{ version: string; shadow_run_id: string }>(
      osprey.url,
      osprey.apiKey,
      'POST',
      `/api/v1/models/houses/shadow-runs/${run.id}/promote`,
      {},
    );
    expect(promoted.status).toBe(201);
    expect(promoted.body).toMatchObject({ version: 'v1', shadow_run_id: run.id });
    const list = await api<Run[]>(
      osprey.url,
      osprey.apiKey,
      'GET',
      '/api/v1/models/houses/shadow-runs',
    );
    expect(list.body.map((r) => r.id)).toEqual([run.id]);
  });

  it("mirrors live traffic through the candidate from the embedded collector's tap", async () => {
    await checkLiveMirror(osprey, 'houses-live');
  });
});

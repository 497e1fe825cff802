import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_MODELS as MODELS,
  HOUSE_FEATURES as FEATURES,
  pythonOrt,
} from '../../shadow-runner/src/testing/python';
import { freePort, REPO_ROOT, startOsprey, type OspreyProcess } from '../support/osprey-process';
import { api } from '../support/upload';

const house = {
  rooms: 4,
  bedrooms: 3,
  area_sqm: 92.5,
  age_years: 30,
  distance_to_center_km: 2.5,
  has_garden: true,
};
const row = [4, 3, 92.5, 30, 2.5, 1];

let osprey: OspreyProcess;
let service: ChildProcess | undefined;
let logs = '';
beforeAll(async () => {
  osprey = await startOsprey({ env: { OSPREY_DETECTORS: 'off' } });
});
afterAll(async () => {
  service?.kill('SIGTERM');
  await osprey?.stop();
});

async function push(version: string, file: string) {
  const res = await fetch(
    `${osprey.url}/api/v1/models/houses/versions?version=${version}&features=${FEATURES.join(',')}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${osprey.apiKey}` },
      body: readFileSync(join(MODELS, file)),
    },
  );
  expect(res.status).toBe(201);
}

describe('examples/hot-swap', () => {
  it('serves the production model and swaps on promote and rollback without a restart', async () => {
    await push('v1', 'house_price_linear.onnx');
    await push('v2', 'house_price_gbr.onnx');
    await api(osprey.url, osprey.apiKey, 'POST', '/api/v1/models/houses/promote', {
      version: 'v1',
      reason: 'first',
    });
    const port = await freePort();
    service = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'examples', 'hot-swap', 'service.ts')],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          OSPREY_URL: osprey.url,
          OSPREY_API_KEY: osprey.apiKey,
          MODEL: 'houses',
          PORT: String(port),
          POLL_MS: '200',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    service.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
    service.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
    const predict = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/predict`, {
        method: 'POST',
        body: JSON.stringify(house),
      });
      return res.status === 200
        ? ((await res.json()) as { version: string; prediction: number })
        : undefined;
    };
    const expected = async (file: string) =>
      (await pythonOrt(join(MODELS, file), { features: { dims: [1, 6], data: row } })).price![0]!;
    const servedBy = async (version: string) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const answer = await predict().catch(() => undefined);
        if (answer?.version === version) return answer;
        if (Date.now() > deadline)
          throw new Error(`service never answered with ${version}:\n${logs}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    const first = await servedBy('v1');
    expect(first.prediction).toBeCloseTo(await expected('house_price_linear.onnx'), 0);
    await api(osprey.url, osprey.apiKey, 'POST', '/api/v1/models/houses/promote', {
      version: 'v2',
      reason: 'better',
    });
    const second = await servedBy('v2');
    expect(second.prediction).toBeCloseTo(await expected('house_price_gbr.onnx'), 0);
    expect(second.prediction).not.toBeCloseTo(first.prediction, 0);
    await api(osprey.url, osprey.apiKey, 'POST', '/api/v1/models/houses/rollback', {
      reason: 'test',
    });
    expect((await servedBy('v1')).prediction).toBe(first.prediction);
    expect(logs).toContain('"from":"v2","to":"v1"');
  });
});

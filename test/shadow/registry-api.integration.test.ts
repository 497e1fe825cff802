import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OSPREY_BIN } from '../support/osprey-cli';
import { REPO_ROOT, startOsprey, type OspreyProcess } from '../support/osprey-process';
import { api } from '../support/upload';

const run = promisify(execFile);
const MODELS = join(REPO_ROOT, 'shadow-runner', 'fixtures', 'models');
const LINEAR = join(MODELS, 'house_price_linear.onnx');
const GBR = join(MODELS, 'house_price_gbr.onnx');
const FEATURES = 'rooms,bedrooms,area_sqm,age_years,distance_to_center_km,has_garden';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let osprey: OspreyProcess;
beforeAll(async () => {
  osprey = await startOsprey({ env: { OSPREY_DETECTORS: 'off' } });
});
afterAll(() => osprey?.stop());

const auth = () => ({ authorization: `Bearer ${osprey.apiKey}` });

describe('registry API, production endpoint and osprey models', () => {
  it('pushes with the CLI and raw bytes, refuses a broken upload, promotes and rolls back with ETags', async () => {
    const cli = await run(
      process.execPath,
      [
        OSPREY_BIN,
        'models',
        'push',
        LINEAR,
        '--model',
        'houses',
        '--version',
        'v1',
        '--features',
        FEATURES,
      ],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, OSPREY_URL: osprey.url, OSPREY_API_KEY: osprey.apiKey },
      },
    );
    const v1 = JSON.parse(cli.stdout) as { sha256: string; filename: string; signature: unknown };
    expect(v1.sha256).toBe(sha256(readFileSync(LINEAR)));
    expect(v1.filename).toBe('house_price_linear.onnx');

    const raw = await fetch(
      `${osprey.url}/api/v1/models/houses/versions?version=v2&features=${FEATURES}`,
      {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/octet-stream' },
        body: readFileSync(GBR),
      },
    );
    expect(raw.status).toBe(201);

    const broken = await fetch(
      `${osprey.url}/api/v1/models/houses/versions?version=v3&features=${FEATURES}`,
      {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/octet-stream' },
        body: Buffer.from('definitely not onnx'),
      },
    );
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toMatch(
      /^file: not a loadable ONNX model: /,
    );
    const noFeatures = await fetch(`${osprey.url}/api/v1/models/houses/versions?version=v3`, {
      method: 'POST',
      headers: auth(),
      body: readFileSync(GBR),
    });
    expect(noFeatures.status).toBe(400);
    expect(((await noFeatures.json()) as { error: string }).error).toMatch(/^features: required/);

    const versions = await api<{ version: string }[]>(
      osprey.url,
      osprey.apiKey,
      'GET',
      '/api/v1/models/houses/versions',
    );
    expect(versions.body.map((v) => v.version)).toEqual(['v1', 'v2']);

    const production = () =>
      fetch(`${osprey.url}/v1/models/houses/production`, { headers: auth() });
    expect((await production()).status).toBe(404);
    const noReason = await api<{ error: string }>(
      osprey.url,
      osprey.apiKey,
      'POST',
      '/api/v1/models/houses/promote',
      { version: 'v1' },
    );
    expect(noReason).toEqual({ status: 400, body: { error: 'reason: required, a string' } });

    expect(
      (
        await api(osprey.url, osprey.apiKey, 'POST', '/api/v1/models/houses/promote', {
          version: 'v1',
          reason: 'first',
        })
      ).status,
    ).toBe(201);
    const first = await production();
    const etag1 = first.headers.get('etag')!;
    expect(await first.json()).toMatchObject({ version: 'v1', sha256: v1.sha256 });
    const unchanged = await fetch(`${osprey.url}/v1/models/houses/production`, {
      headers: { ...auth(), 'if-none-match': etag1 },
    });
    expect(unchanged.status).toBe(304);

    await api(osprey.url, osprey.apiKey, 'POST', '/api/v1/models/houses/promote', {
      version: 'v2',
      reason: 'better',
    });
    const second = await fetch(`${osprey.url}/v1/models/houses/production`, {
      headers: { ...auth(), 'if-none-match': etag1 },
    });
    expect(second.status).toBe(200);
    expect(second.headers.get('etag')).not.toBe(etag1);
    const body = (await second.json()) as { version: string; artifact_url: string; sha256: string };
    expect(body.version).toBe('v2');
    expect(body.artifact_url).toBe('/v1/models/houses/versions/v2/artifact');
    const artifact = await fetch(new URL(body.artifact_url, osprey.url), { headers: auth() });
    expect(artifact.status).toBe(200);
    expect(sha256(new Uint8Array(await artifact.arrayBuffer()))).toBe(body.sha256);

    const back = await api<{ version: string; previous_version: string }>(
      osprey.url,
      osprey.apiKey,
      'POST',
      '/api/v1/models/houses/rollback',
      { reason: 'latency' },
    );
    expect(back.body).toMatchObject({ version: 'v1', previous_version: 'v2' });
    expect(((await (await production()).json()) as { version: string }).version).toBe('v1');
    expect((await fetch(`${osprey.url}/v1/models/houses/production`)).status).toBe(401);
  });
});

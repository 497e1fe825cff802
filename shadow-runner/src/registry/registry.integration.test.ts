import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { storeEnv, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentChange } from '../api';
import { shadowEnv } from '../config';
import { createModels, type Models } from '../models';
import { FIXTURE_MODELS, HOUSE_FEATURES as FEATURES } from '../testing/python';

const dir = mkdtempSync(join(tmpdir(), 'osprey-registry-'));
const LINEAR = join(FIXTURE_MODELS, 'house_price_linear.onnx');
const GBR = join(FIXTURE_MODELS, 'house_price_gbr.onnx');
const CLASSIFIER = join(FIXTURE_MODELS, 'house_price_above_400k.onnx');
const actor = 'test';
let store: Store;
let models: Models;
const changes: DeploymentChange[] = [];

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
  models = createModels(store, {
    ...shadowEnv.parse({ OSPREY_EP: 'cpu', OSPREY_MAX_ARTIFACT_BYTES: '1000000' }),
    OSPREY_DATA_DIR: join(dir, 'data'),
    OSPREY_ARTIFACT_DIR: join(dir, 'artifacts'),
  });
  models.deployments.onChange((c) => changes.push(c));
});
afterAll(() => store?.close());

const push = (model: string, version: string, file: string, features: string[] = FEATURES) =>
  models.registry.push({ model, version, body: readFileSync(file), features, actor });

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('ModelRegistry', () => {
  it('stores the artifact by sha256 and records what onnxruntime read and the input spec', async () => {
    const { version, created } = await models.registry.push({
      model: 'houses',
      version: 'v1',
      body: Readable.from([readFileSync(LINEAR)]),
      features: FEATURES,
      actor,
    });
    expect(created).toBe(true);
    expect(version.sha256).toBe(sha256(LINEAR));
    const stored = join(
      dir,
      'artifacts',
      'sha256',
      version.sha256.slice(0, 2),
      `${version.sha256}.onnx`,
    );
    expect(readFileSync(stored)).toEqual(readFileSync(LINEAR));
    expect(version.signature).toEqual({
      inputs: [{ name: 'features', type: 'float32', shape: ['?', 6] }],
      outputs: [{ name: 'price', type: 'float32', shape: ['?', 1] }],
    });
    expect(version.input_spec).toEqual({ inputs: [{ name: 'features', features: FEATURES }] });
    expect(await models.registry.get('houses', 'v1')).toEqual(version);

    const again = await push('houses', 'v1', LINEAR);
    expect(again.created).toBe(false);
    await expect(push('houses', 'v1', GBR)).rejects.toMatchObject({ status: 409 });
    const audit = await store.query<{ n: string }>(
      `SELECT count() AS n FROM audit_log WHERE action = 'model.version.push' AND target = 'houses/v1'`,
    );
    expect(Number(audit[0]!.n)).toBe(1);
  });

  it('refuses what is not a loadable ONNX model, and specs that do not fit the model, naming the field', async () => {
    const broken = join(dir, 'broken.onnx');
    writeFileSync(
      broken,
      Buffer.concat([readFileSync(LINEAR).subarray(0, 100), Buffer.from('garbage')]),
    );
    const error = (await push('houses', 'bad', broken).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ status: 400 });
    expect(error.message).toMatch(/^file: not a loadable ONNX model: /);
    await expect(push('houses', 'v9', LINEAR, FEATURES.slice(0, 5))).rejects.toThrow(
      /input_spec\.inputs\.0\.features: input "features" takes 6 values per row, 5 features given/,
    );
    await expect(
      models.registry.push({
        model: 'houses',
        version: 'v9',
        body: readFileSync(CLASSIFIER),
        features: { inputs: [{ name: 'x', features: ['rooms'] }] },
        actor,
      }),
    ).rejects.toThrow(
      /input_spec\.inputs\.0\.name: the model has no input "x" \(it has features\)/,
    );
    await expect(push('houses', 'v 9', LINEAR)).rejects.toThrow(
      /^version: must be 1-128 characters/,
    );
    expect(await models.registry.get('houses', 'bad')).toBeUndefined();
    expect(await models.registry.get('houses', 'v9')).toBeUndefined();
  });
});

describe('Deployments', () => {
  it('promotes, rolls back to the previous production version, audits and emits every change', async () => {
    await push('prices', 'v1', LINEAR);
    await push('prices', 'v2', GBR);
    expect(await models.production('prices')).toBeUndefined();
    await expect(
      models.deployments.promote({ model: 'prices', version: 'v3', reason: 'r', actor }),
    ).rejects.toMatchObject({ status: 404 });

    await models.deployments.promote({ model: 'prices', version: 'v1', reason: 'first', actor });
    const first = await models.production('prices');
    expect(first?.body).toMatchObject({
      version: 'v1',
      sha256: sha256(LINEAR),
      artifact_url: '/v1/models/prices/versions/v1/artifact',
    });
    await expect(
      models.deployments.rollback({ model: 'prices', reason: 'r', actor }),
    ).rejects.toThrow(/only one production version/);

    const promoted = await models.deployments.promote({
      model: 'prices',
      version: 'v2',
      reason: 'better',
      actor,
    });
    expect(promoted).toMatchObject({ version: 'v2', previous_version: 'v1', action: 'promote' });
    const second = await models.production('prices');
    expect(second?.body.version).toBe('v2');
    expect(second?.etag).not.toBe(first?.etag);
    await expect(
      models.deployments.promote({ model: 'prices', version: 'v2', reason: 'again', actor }),
    ).rejects.toMatchObject({ status: 409 });

    const back = await models.deployments.rollback({
      model: 'prices',
      reason: 'latency',
      actor,
      alertId: 'alert-1',
    });
    expect(back).toMatchObject({
      version: 'v1',
      previous_version: 'v2',
      action: 'rollback',
      alert_id: 'alert-1',
    });
    const third = await models.production('prices');
    expect(third?.body).toMatchObject({
      version: 'v1',
      action: 'rollback',
      alert_id: 'alert-1',
      reason: 'latency',
    });

    expect(
      changes.filter((c) => c.model === 'prices').map((c) => `${c.action}:${c.version}`),
    ).toEqual(['promote:v1', 'promote:v2', 'rollback:v1']);
    const audit = await store.query<{ action: string; target: string }>(
      `SELECT action, target FROM audit_log WHERE target LIKE 'prices/%' AND action IN ('model.promote', 'model.rollback') ORDER BY timestamp`,
    );
    expect(audit).toEqual([
      { action: 'model.promote', target: 'prices/v1' },
      { action: 'model.promote', target: 'prices/v2' },
      { action: 'model.rollback', target: 'prices/v1' },
    ]);
    expect((await models.deployments.history('prices')).map((d) => d.version)).toEqual([
      'v1',
      'v2',
      'v1',
    ]);
  });

  it('keeps previous_version right when changes race', async () => {
    await push('race', 'a', LINEAR);
    await push('race', 'b', GBR);
    await Promise.all([
      models.deployments.promote({ model: 'race', version: 'a', reason: 'r', actor }),
      models.deployments.promote({ model: 'race', version: 'b', reason: 'r', actor }),
    ]);
    const history = await models.deployments.history('race');
    expect(history.map((d) => [d.version, d.previous_version])).toEqual([
      ['b', 'a'],
      ['a', ''],
    ]);
  });
});

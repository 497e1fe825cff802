import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The monorepo's own helpers for running a real `osprey start` and `osprey sql`.
import { sqlRows } from '../../../test/support/osprey-cli';
import { startOsprey, type OspreyProcess } from '../../../test/support/osprey-process';
import { Osprey, type OspreyError, type ReferenceRow } from '../src/index';

// logReference() against a real `osprey start`: every accepted row is stored under its upload's
// reference_id, and rows refused here or by the collector are reported by their index.
let osprey: OspreyProcess | undefined;
beforeAll(async () => {
  osprey = await startOsprey();
});
afterAll(async () => {
  await osprey?.stop();
});

describe('logReference end to end', () => {
  it('stores a 12,001-row upload sent in batches of 5,000 under one reference id', async () => {
    const live = osprey!;
    const model = `ts-sdk-reference-${Date.now()}`;
    const errors: OspreyError[] = [];
    const client = new Osprey({
      url: live.url,
      apiKey: live.apiKey,
      onError: (e) => errors.push(e),
    });
    const rows: ReferenceRow[] = Array.from({ length: 12_001 }, (_, i) => ({
      features: { amount: i, country: i % 2 ? 'FR' : 'DE', is_new: i % 3 === 0, missing: null },
      prediction: i % 5 === 0 ? 'fraud' : i / 12_001,
      tags: { split: 'train' },
    }));
    rows[100] = { features: { amount: [1] } } as unknown as ReferenceRow; // refused by the SDK

    const upload = await client.logReference(model, 'v1', rows);
    const second = await client.logReference(model, 'v2', rows.slice(0, 10), {
      referenceId: 'holdout:2025-01',
    });
    await client.close(5_000);

    expect(upload.rejected).toEqual([
      { index: 100, error: 'features.amount: must be a number, string, boolean or null' },
    ]);
    expect(upload.accepted).toBe(12_000);
    expect(second).toEqual({ referenceId: 'holdout:2025-01', accepted: 10, rejected: [] });
    expect(errors).toEqual([]);

    // Read what was stored, with the process stopped (one process per data directory).
    await live.stop();
    osprey = undefined;
    const stored = await sqlRows(
      live.dataDir,
      `SELECT reference_id, version, count(), sum(num_features['amount']),
              countIf(prediction_label = 'fraud'), countIf(cat_features['country'] = 'FR')
       FROM reference_rows WHERE model = '${model}'
       GROUP BY reference_id, version ORDER BY version`,
    );
    const amountSum = (12_001 * 12_000) / 2 - 100;
    expect(stored).toEqual([
      [upload.referenceId, 'v1', '12000', String(amountSum), '2400', '6000'],
      ['holdout:2025-01', 'v2', '10', '45', '2', '5'],
    ]);
  });
});

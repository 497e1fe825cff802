import { afterAll, beforeAll, expect, it } from 'vitest';
import { post, stats } from '../support/http';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// A writer whose buffer holds 1,000 rows and waits 3 s before inserting: the second request of
// 800 events cannot fit and must be refused with 503 + Retry-After, losing nothing of the first.
let osprey: OspreyProcess;
beforeAll(async () => {
  osprey = await startOsprey({
    env: {
      OSPREY_WRITER_MAX_BUFFERED_ROWS: '1000',
      OSPREY_BATCH_LINGER_MS: '3000',
      OSPREY_BATCH_MAX_ROWS: '100000',
    },
  });
});
afterAll(async () => {
  await osprey?.stop();
});

it('answers 503 with Retry-After when the writer buffer is full, and stores what it accepted', async () => {
  const batch = JSON.stringify(
    Array.from({ length: 800 }, (_, i) => ({
      model: 'pressure',
      version: 'v1',
      features: { i },
      prediction: i,
    })),
  );
  const headers = { authorization: `Bearer ${osprey.apiKey}`, 'content-type': 'application/json' };
  const first = post(`${osprey.url}/v1/predictions`, batch, headers);
  await new Promise((r) => setTimeout(r, 500));
  const second = await post(`${osprey.url}/v1/predictions`, batch, headers);
  expect(second.status).toBe(503);
  expect(second.headers.get('retry-after')).toBe('1');
  expect(second.json.error).toMatch(/buffer is full|at capacity/);
  expect(await first).toMatchObject({ status: 200, json: { accepted: 800, rejected: [] } });
  expect((await stats(osprey.url, osprey.apiKey, 'pressure')).count).toBe(800);
});

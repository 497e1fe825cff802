import { afterAll, beforeAll, expect, it } from 'vitest';
import { post, stats } from '../support/http';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// A writer whose buffer holds 1,000 rows and inserts at most every 3 s: the first request is
// inserted at once, the second waits for the interval, and the third cannot fit beside it and must
// be refused with 503 + Retry-After, losing nothing of the others.
let osprey: OspreyProcess;
beforeAll(async () => {
  osprey = await startOsprey({
    env: {
      OSPREY_WRITER_MAX_BUFFERED_ROWS: '1000',
      OSPREY_INSERT_MIN_INTERVAL_MS: '3000',
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
  const send = () => post(`${osprey.url}/v1/predictions`, batch, headers);
  expect(await send()).toMatchObject({ status: 200, json: { accepted: 800, rejected: [] } });
  const second = send();
  await new Promise((r) => setTimeout(r, 500));
  const third = await send();
  expect(third.status).toBe(503);
  expect(third.headers.get('retry-after')).toBe('1');
  expect(third.json.error).toMatch(/buffer is full|at capacity/);
  expect(await second).toMatchObject({ status: 200, json: { accepted: 800, rejected: [] } });
  expect((await stats(osprey.url, osprey.apiKey, 'pressure')).count).toBe(1_600);
});

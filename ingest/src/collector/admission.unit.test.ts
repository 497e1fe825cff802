import { expect, it } from 'vitest';
import { Admission } from './admission';

it('admits up to the concurrency, queues up to maxWaiting, refuses beyond, in order', async () => {
  const admission = new Admission(2, 1);
  const a = await admission.enter();
  const b = await admission.enter();
  const order: string[] = [];
  const c = admission.enter().then((release) => {
    order.push('c');
    return release;
  });
  expect(await admission.enter()).toBeUndefined(); // queue full
  a!();
  const releaseC = await c;
  expect(order).toEqual(['c']);
  b!();
  releaseC!();
  releaseC!(); // releasing twice frees one slot, not two
  const d = await admission.enter();
  const e = await admission.enter();
  expect(d).toBeTypeOf('function');
  expect(e).toBeTypeOf('function');
});

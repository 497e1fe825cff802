import { postGzippedPredictions } from '../support/http';

/**
 * `senders` concurrent HTTP clients post `batches` gzipped bodies (cycling through `bodies`) of
 * `batchSize` events each, retrying a 503 after 50 ms as an SDK would; returns how many 503s.
 */
export async function sendBatches(opts: {
  url: string;
  apiKey: string;
  bodies: Buffer[];
  batches: number;
  batchSize: number;
  senders: number;
}): Promise<number> {
  let next = 0;
  let retries = 0;
  await Promise.all(
    Array.from({ length: opts.senders }, async () => {
      for (let i = next++; i < opts.batches; i = next++) {
        for (;;) {
          const res = await postGzippedPredictions(
            opts.url,
            opts.apiKey,
            opts.bodies[i % opts.bodies.length]!,
          );
          const answer = (await res.json()) as { accepted?: number };
          if (res.status === 200 && answer.accepted === opts.batchSize) break;
          if (res.status !== 503)
            throw new Error(`collector answered ${res.status}: ${JSON.stringify(answer)}`);
          retries++;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }),
  );
  return retries;
}

import { embeddingDriftFields } from '@osprey/detectors';
import { detectorResultRoute } from '@/lib/api/detector-route';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';
/** The window's feature drift, with its embeddings' drift under `embeddings` (issue #18). */
export const GET = detectorResultRoute('drift', async (document, scope) => ({
  ...document,
  ...(await embeddingDriftFields(runtime().store, {
    ...scope,
    window: (document as { window: { from: string; to: string } }).window,
  })),
}));

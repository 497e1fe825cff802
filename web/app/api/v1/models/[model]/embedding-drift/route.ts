import { detectorResultRoute } from '@/lib/api/detector-route';

export const dynamic = 'force-dynamic';
export const GET = detectorResultRoute('embedding_drift');

import { Readable } from 'node:stream';
import { create as contentDisposition } from 'content-disposition';
import { models } from '@/lib/api/models';
import { withApiKey } from '@/lib/api/with-api-key';

export const dynamic = 'force-dynamic';

/** A version's ONNX file. Content-addressed, so its ETag is its sha256 and it never changes. */
export const GET = withApiKey(
  'read',
  async (req: Request, ctx: { params: Promise<{ model: string; version: string }> }) => {
    const { model, version } = await ctx.params;
    const { registry } = models();
    const found = await registry.get(model, version);
    if (!found)
      return Response.json({ error: `${model} has no version ${version}` }, { status: 404 });
    const etag = `"${found.sha256}"`;
    const headers = {
      etag,
      'cache-control': 'private, max-age=31536000, immutable',
      'content-type': 'application/octet-stream',
      // filename*=UTF-8''… for any name, with an ASCII fallback for old clients (RFC 6266).
      'content-disposition': contentDisposition(found.filename),
    };
    if (req.headers.get('if-none-match') === etag)
      return new Response(null, { status: 304, headers });
    const stream = Readable.toWeb(registry.artifacts.open(found.sha256)) as ReadableStream;
    return new Response(stream, {
      headers: { ...headers, 'content-length': String(found.size_bytes) },
    });
  },
);

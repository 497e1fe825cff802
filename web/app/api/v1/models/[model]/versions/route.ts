import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { inputSpec, parseFeatureList, type InputSpec } from '@osprey/shadow-runner/api';
import { models, orRegistryError } from '@/lib/api/models';
import { withAuth } from '@/lib/api/with-auth';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

/** The model's registered versions, oldest first. */
export const GET = withAuth('viewer', async (_req: Request, ctx: Ctx) => {
  const { model } = await ctx.params;
  return Response.json(await models().registry.versions(model));
});

/**
 * Registers a version. Either multipart/form-data with `file`, `version`, and `features`
 * (comma-separated) or `input_spec` (JSON), optional `description`; or the raw ONNX bytes as the
 * body with `?version=V&features=a,b,c` (or `input_spec=<JSON>`). 201 new, 200 same bytes again.
 */
export const POST = withAuth(
  'editor',
  async (req: Request, ctx: Ctx, caller) =>
    orRegistryError(async () => {
      const { model } = await ctx.params;
      const form = (req.headers.get('content-type') ?? '').startsWith('multipart/form-data')
        ? await req.formData().catch(() => undefined)
        : undefined;
      const url = new URL(req.url);
      const field = (name: string): string | undefined => {
        const v = form ? form.get(name) : url.searchParams.get(name);
        return typeof v === 'string' ? v : undefined;
      };
      const features = parseFeatures(field('features'), field('input_spec'));
      if ('error' in features) return Response.json({ error: features.error }, { status: 400 });
      let body: Readable | Uint8Array;
      let filename: string | undefined;
      if (form) {
        const file = form.get('file');
        if (!file || typeof file === 'string')
          return Response.json(
            { error: 'file: required, the ONNX model as a file part' },
            { status: 400 },
          );
        body = new Uint8Array(await file.arrayBuffer());
        filename = file.name || undefined;
      } else {
        if (!req.body)
          return Response.json(
            { error: 'body: the ONNX model bytes are required' },
            { status: 400 },
          );
        body = Readable.fromWeb(req.body as unknown as WebReadableStream);
      }
      const { version, created } = await models().registry.push({
        model,
        version: field('version') ?? '',
        body,
        features: features.value,
        filename,
        description: field('description'),
        actor: caller.actor,
      });
      return Response.json(version, { status: created ? 201 : 200 });
    }),
  { audit: 'workspace' },
);

function parseFeatures(
  list: string | undefined,
  spec: string | undefined,
): { value: string[] | InputSpec } | { error: string } {
  if (spec !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(spec);
    } catch {
      return { error: 'input_spec: must be JSON' };
    }
    const parsed = inputSpec.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { error: `${['input_spec', ...issue.path].join('.')}: ${issue.message}` };
    }
    return { value: parsed.data };
  }
  if (list === undefined)
    return {
      error:
        'features: required, the logged feature names that make the input, in order (or input_spec)',
    };
  return { value: parseFeatureList(list) };
}

import type { Readable } from 'node:stream';
import { inputSpec, parseFeatureList, type InputSpec } from '@osprey/shadow-runner/api';
import { models, orRegistryError } from '@/lib/api/models';
import { readMultipartUpload } from '@/lib/api/multipart-upload';
import { requestBody } from '@/lib/api/request-body';
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
 * Either way the bytes stream to the artifact store, held to OSPREY_MAX_ARTIFACT_BYTES as they
 * arrive (413 past it), never buffered whole.
 */
export const POST = withAuth(
  'editor',
  async (req: Request, ctx: Ctx, caller) =>
    orRegistryError(async () => {
      const { model } = await ctx.params;
      const request = requestBody(req);
      if (!request)
        return Response.json({ error: 'body: the ONNX model bytes are required' }, { status: 400 });
      try {
        return await register(req, request.body, { model, actor: caller.actor });
      } catch (error) {
        request.discardRest();
        throw error;
      }
    }),
  { audit: 'workspace' },
);

type Upload = { model: string; actor: string };
type Pushed = { version: unknown; created: boolean };

async function register(req: Request, body: Readable, upload: Upload): Promise<Response> {
  const contentType = req.headers.get('content-type') ?? '';
  const pushed = contentType.startsWith('multipart/form-data')
    ? await registerForm(body, contentType, upload)
    : await registerRaw(body, new URL(req.url).searchParams, upload);
  if (pushed instanceof Response) return pushed;
  return Response.json(pushed.version, { status: pushed.created ? 201 : 200 });
}

/** The form's file part is staged while it streams; its fields may come before or after it. */
async function registerForm(
  body: Readable,
  contentType: string,
  { model, actor }: Upload,
): Promise<Pushed | Response> {
  const { registry } = models();
  const { fields, file } = await readMultipartUpload(body, contentType, (part) =>
    registry.stage(part),
  );
  const features = parseFeatures(fields.get('features'), fields.get('input_spec'));
  if (!file || 'error' in features) {
    await file?.staged.discard();
    const error = file ? (features as { error: string }).error : FILE_REQUIRED;
    return Response.json({ error }, { status: 400 });
  }
  const input = {
    model,
    version: fields.get('version') ?? '',
    features: features.value,
    filename: file.filename,
    description: fields.get('description'),
    actor,
  };
  return registry.pushStaged(input, file.staged);
}

/** The body is the ONNX file; the fields are query parameters, checked before it is read. */
async function registerRaw(
  body: Readable,
  query: URLSearchParams,
  { model, actor }: Upload,
): Promise<Pushed | Response> {
  const features = parseFeatures(query.get('features'), query.get('input_spec'));
  if ('error' in features) return Response.json({ error: features.error }, { status: 400 });
  return models().registry.push({
    model,
    version: query.get('version') ?? '',
    body,
    features: features.value,
    description: query.get('description') ?? undefined,
    actor,
  });
}

const FILE_REQUIRED = 'file: required, the ONNX model as a file part';

function parseFeatures(
  list: string | null | undefined,
  spec: string | null | undefined,
): { value: string[] | InputSpec } | { error: string } {
  if (spec != null) {
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
  if (list == null)
    return {
      error:
        'features: required, the logged feature names that make the input, in order (or input_spec)',
    };
  return { value: parseFeatureList(list) };
}

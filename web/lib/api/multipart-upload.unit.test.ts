import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ArtifactStore } from '@osprey/shadow-runner';
import { describe, expect, it } from 'vitest';
import { readMultipartUpload } from './multipart-upload';

// A real artifact store in a temporary directory; forms encoded by the platform's FormData.
function setup(maxBytes = 1024) {
  const dir = mkdtempSync(join(tmpdir(), 'osprey-multipart-'));
  const store = new ArtifactStore(dir);
  const leftovers = () => readdirSync(join(dir, 'tmp'));
  return { stage: (body: Readable) => store.stage(body, maxBytes), leftovers };
}

async function encode(form: FormData): Promise<{ body: Readable; type: string }> {
  const request = new Request('http://osprey.test/', { method: 'POST', body: form });
  return {
    body: Readable.from(Buffer.from(await request.arrayBuffer())),
    type: request.headers.get('content-type')!,
  };
}

describe('readMultipartUpload', () => {
  it('stages the file part as it streams and keeps the fields, whichever comes first', async () => {
    const { stage } = setup();
    const bytes = new Uint8Array(700).fill(3);
    const form = new FormData();
    form.set('file', new Blob([bytes]), 'models/../模型😀.onnx');
    form.set('version', 'v1');
    form.set('features', 'a,b');
    const { body, type } = await encode(form);
    const upload = await readMultipartUpload(body, type, stage);
    expect(Object.fromEntries(upload.fields)).toEqual({ version: 'v1', features: 'a,b' });
    expect(upload.file?.filename).toBe('模型😀.onnx');
    expect(upload.file?.staged).toMatchObject({
      size: 700,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    await upload.file?.staged.discard();
  });

  it('refuses a file over the limit with 413 and leaves no temporary file', async () => {
    const { stage, leftovers } = setup(1024);
    const form = new FormData();
    form.set('version', 'v1');
    form.set('file', new Blob([new Uint8Array(5000)]), 'big.onnx');
    const { body, type } = await encode(form);
    await expect(readMultipartUpload(body, type, stage)).rejects.toMatchObject({
      name: 'RegistryError',
      status: 413,
      message: 'the artifact is larger than 1024 bytes (OSPREY_MAX_ARTIFACT_BYTES)',
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(leftovers()).toEqual([]);
  });

  it('names the part that does not belong: an unknown field, a second file', async () => {
    const { stage, leftovers } = setup();
    const unknown = new FormData();
    unknown.set('model', 'other');
    let { body, type } = await encode(unknown);
    await expect(readMultipartUpload(body, type, stage)).rejects.toMatchObject({
      status: 400,
      message: 'model: unknown field; send version, features, input_spec, description',
    });
    const twoFiles = new FormData();
    twoFiles.set('file', new Blob([new Uint8Array(10)]), 'a.onnx');
    twoFiles.set('other', new Blob([new Uint8Array(10)]), 'b.onnx');
    ({ body, type } = await encode(twoFiles));
    await expect(readMultipartUpload(body, type, stage)).rejects.toMatchObject({
      status: 400,
      message: 'other: one file part only, named file, holding the ONNX model',
    });
    // The first file, staged or still streaming, is thrown away.
    await new Promise((r) => setTimeout(r, 50));
    expect(leftovers()).toEqual([]);
  });

  it('refuses a body that is not a multipart form', async () => {
    const { stage } = setup();
    await expect(
      readMultipartUpload(Readable.from(['x']), 'multipart/form-data', stage),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^body: not a multipart form/),
    });
  });
});

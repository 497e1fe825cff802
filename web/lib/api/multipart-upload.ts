import type { Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';
import type { Staged } from '@osprey/shadow-runner';
import { RegistryError } from '@osprey/shadow-runner/api';

/** The text fields a model upload may carry, and how long each may be. */
const FIELDS = new Set(['version', 'features', 'input_spec', 'description']);
const MAX_FIELD_BYTES = 1024 * 1024;

export interface MultipartUpload {
  fields: Map<string, string>;
  /** The `file` part, written to the artifact store's temporary directory as it arrived. */
  file?: { staged: Staged; filename?: string };
}

/**
 * Reads a multipart/form-data model upload as it streams in: the `file` part goes straight to
 * `stage` (which hashes it and holds it to the size limit), the text fields are kept. Nothing is
 * buffered whole, so a 600 MB upload costs the server a few chunks of memory, not 600 MB.
 * Rejects with a RegistryError naming the part (400) or the limit (413, from `stage`), and
 * then stops reading `source`.
 */
export function readMultipartUpload(
  source: Readable,
  contentType: string,
  stage: (body: Readable) => Promise<Staged>,
): Promise<MultipartUpload> {
  let parser: ReturnType<typeof Busboy>;
  try {
    parser = Busboy({
      headers: { 'content-type': contentType },
      // A second file part is refused by name in the 'file' handler, so no `files` limit here.
      limits: { fields: FIELDS.size, fieldSize: MAX_FIELD_BYTES, parts: 10 },
    });
  } catch (error) {
    return Promise.reject(
      new RegistryError(400, `not a multipart form: ${(error as Error).message}`, 'body'),
    );
  }
  return new Promise<MultipartUpload>((resolve, reject) => {
    const fields = new Map<string, string>();
    let staging: Promise<Staged> | undefined;
    let fileStream: Readable | undefined;
    let filename: string | undefined;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      source.unpipe(parser);
      // A file still streaming is cut off with an error, which stage() sees even if it has not
      // started reading yet (it then removes its temporary file); one staged is discarded below.
      fileStream?.on('error', () => undefined).destroy(new Error('the upload was abandoned'));
      void staging?.then(
        (s) => s.discard(),
        () => undefined,
      );
      reject(error);
    };

    parser.on('field', (name, value, _nameTruncated, valueTruncated) => {
      if (!FIELDS.has(name))
        return fail(new RegistryError(400, `unknown field; send ${[...FIELDS].join(', ')}`, name));
      if (valueTruncated)
        return fail(new RegistryError(400, `must be at most ${MAX_FIELD_BYTES} bytes`, name));
      fields.set(name, value);
    });
    parser.on('file', (name, stream, partFilename) => {
      if (name !== 'file' || staging) {
        stream.resume();
        return fail(
          new RegistryError(400, 'one file part only, named file, holding the ONNX model', name),
        );
      }
      filename = baseName(partFilename);
      fileStream = stream;
      staging = stage(stream);
      staging.catch(fail);
    });
    const tooMany = (what: string) => () =>
      fail(new RegistryError(400, `too many ${what} in the form`, 'body'));
    parser.on('partsLimit', tooMany('parts'));
    parser.on('fieldsLimit', tooMany('fields'));
    parser.on('error', (error: Error) =>
      fail(new RegistryError(400, `not a valid multipart form: ${error.message}`, 'body')),
    );
    source.on('error', fail);
    parser.on('finish', () => {
      if (!staging) return resolve({ fields });
      staging.then((staged) => {
        if (failed) void staged.discard();
        else resolve({ fields, file: { staged, filename } });
      }, fail);
    });
    source.pipe(parser);
  });
}

/** The name without any directory a client put in it; undefined when nothing is left. */
function baseName(name: string | undefined): string | undefined {
  const base = name?.split(/[\\/]/).pop()?.trim();
  return base ? base : undefined;
}

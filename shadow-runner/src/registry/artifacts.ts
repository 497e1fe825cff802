import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RegistryError } from '../api';

/** Bytes written to a temporary file and hashed on the way; kept or thrown away after checks. */
export interface Staged {
  sha256: string;
  size: number;
  /** The temporary file (valid until commit or discard). */
  path: string;
  /** Moves the file to its content address; the same bytes stored twice are kept once. */
  commit(): Promise<string>;
  discard(): Promise<void>;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Content-addressed artifact directory: `<dir>/sha256/ab/abcdef….onnx`. Files are written to
 * `<dir>/tmp` first and renamed into place (same file system, so the rename is atomic): a reader
 * never sees half a file, and concurrent uploads of the same bytes both end with one file.
 */
export class ArtifactStore {
  constructor(readonly dir: string) {}

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.dir, 'sha256', sha256.slice(0, 2), `${sha256}.onnx`);
  }

  async has(sha256: string): Promise<boolean> {
    return stat(this.pathOf(sha256)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  open(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }

  async stage(body: Readable | Uint8Array, maxBytes: number): Promise<Staged> {
    const tmpDir = join(this.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const path = join(tmpDir, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) {
          done(
            new RegistryError(
              413,
              `the artifact is larger than ${maxBytes} bytes (OSPREY_MAX_ARTIFACT_BYTES)`,
            ),
          );
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const source =
      body instanceof Uint8Array
        ? [Buffer.from(body.buffer, body.byteOffset, body.byteLength)]
        : body;
    const sink = createWriteStream(path);
    try {
      await pipeline(source, meter, sink);
    } catch (error) {
      // A sink still opening creates its file after an early failure: remove it once closed.
      if (!sink.closed) await new Promise<void>((closed) => sink.once('close', () => closed()));
      await rm(path, { force: true });
      throw error;
    }
    if (size === 0) {
      await rm(path, { force: true });
      throw new RegistryError(400, 'the upload is empty', 'file');
    }
    const sha256 = hash.digest('hex');
    return {
      sha256,
      size,
      path,
      commit: async () => {
        const target = this.pathOf(sha256);
        await mkdir(join(this.dir, 'sha256', sha256.slice(0, 2)), { recursive: true });
        if (await this.has(sha256)) await rm(path, { force: true });
        else await rename(path, target);
        return target;
      },
      discard: () => rm(path, { force: true }),
    };
  }
}

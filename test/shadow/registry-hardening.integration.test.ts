import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startOsprey, type OspreyProcess } from '../support/osprey-process';
import { rssBytes } from '../support/proc';

// Issue #13 rows 5, 6 and 12 (Host) against a real `osprey start`: uploads are held to the limit
// while they stream, any file name downloads, and artifact URLs never come from the Host header.
const LINEAR = join(REPO_ROOT, 'shadow-runner', 'fixtures', 'models', 'house_price_linear.onnx');
const FEATURES = 'rooms,bedrooms,area_sqm,age_years,distance_to_center_km,has_garden';
const MiB = 1024 * 1024;
const LIMIT = 512 * MiB; // OSPREY_MAX_ARTIFACT_BYTES' default
const TOO_LARGE = {
  error: `the artifact is larger than ${LIMIT} bytes (OSPREY_MAX_ARTIFACT_BYTES)`,
};

let osprey: OspreyProcess;
beforeAll(async () => {
  osprey = await startOsprey({ env: { OSPREY_DETECTORS: 'off', OSPREY_SHADOW_RUNNER: 'off' } });
});
afterAll(() => osprey?.stop());

const auth = () => ({ authorization: `Bearer ${osprey.apiKey}` });

/** `size` bytes as a stream made on demand, 1 MiB at a time: the test never holds the body. */
function streamOf(size: number, head = '', tail = ''): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(MiB).fill(7);
  let sent = 0;
  let started = false;
  return new ReadableStream({
    pull(controller) {
      if (!started) {
        started = true;
        if (head) return controller.enqueue(new TextEncoder().encode(head));
      }
      if (sent < size) {
        const n = Math.min(MiB, size - sent);
        sent += n;
        return controller.enqueue(n === MiB ? chunk : chunk.subarray(0, n));
      }
      if (tail) controller.enqueue(new TextEncoder().encode(tail));
      controller.close();
    },
  });
}

/** A multipart/form-data body whose file part holds `size` bytes, streamed. */
function multipartOf(size: number, version: string): { body: ReadableStream; type: string } {
  const boundary = `----osprey-test-${Date.now()}`;
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head =
    field('version', version) +
    field('features', FEATURES) +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.onnx"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n';
  return {
    body: streamOf(size, head, `\r\n--${boundary}--\r\n`),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

/** Sends a streamed upload while sampling the server's RSS; the answer and the largest growth. */
async function uploadSampled(
  path: string,
  body: ReadableStream,
  contentType: string,
): Promise<{ status: number; json: unknown; growthMiB: number }> {
  const pid = osprey.child.pid!;
  const before = rssBytes(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 50);
  try {
    const res = await fetch(`${osprey.url}${path}`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': contentType },
      body,
      duplex: 'half',
    } as RequestInit);
    const json = await res.json();
    return { status: res.status, json, growthMiB: (peak - before) / MiB };
  } finally {
    clearInterval(sampler);
  }
}

async function pushFixture(version: string, filename: string): Promise<Response> {
  const form = new FormData();
  form.set('version', version);
  form.set('features', FEATURES);
  form.set('file', new Blob([readFileSync(LINEAR)]), filename);
  return fetch(`${osprey.url}/api/v1/models/houses/versions`, {
    method: 'POST',
    headers: auth(),
    body: form,
  });
}

describe('model uploads', () => {
  it('stores a normal upload and serves a unicode file name with filename*= and an ASCII fallback', async () => {
    const pushed = await pushFixture('v1', '模型😀.onnx');
    expect(pushed.status).toBe(201);
    expect(await pushed.json()).toMatchObject({ version: 'v1', filename: '模型😀.onnx' });
    const artifact = await fetch(`${osprey.url}/v1/models/houses/versions/v1/artifact`, {
      headers: auth(),
    });
    expect(artifact.status).toBe(200);
    expect(artifact.headers.get('content-disposition')).toBe(
      `attachment; filename="????.onnx"; filename*=UTF-8''%E6%A8%A1%E5%9E%8B%F0%9F%98%80.onnx`,
    );
    expect(Buffer.from(await artifact.arrayBuffer()).equals(readFileSync(LINEAR))).toBe(true);
  });

  it('answers 413 to a 600 MB multipart upload while it streams: RSS grows < 100 MB', async () => {
    const { body, type } = multipartOf(600 * MiB, 'huge-form');
    const answer = await uploadSampled('/api/v1/models/houses/versions', body, type);
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual(TOO_LARGE);
    expect(answer.growthMiB).toBeLessThan(100);
  });

  it('answers 413 to a 600 MB raw-body upload the same way', async () => {
    const answer = await uploadSampled(
      `/api/v1/models/houses/versions?version=huge-raw&features=${FEATURES}`,
      streamOf(600 * MiB),
      'application/octet-stream',
    );
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual(TOO_LARGE);
    expect(answer.growthMiB).toBeLessThan(100);
    // Nothing of either refused upload was registered, and normal uploads go on working.
    const versions = await fetch(`${osprey.url}/api/v1/models/houses/versions`, {
      headers: auth(),
    });
    expect(((await versions.json()) as { version: string }[]).map((v) => v.version)).toEqual([
      'v1',
    ]);
    expect((await pushFixture('v2', 'linear.onnx')).status).toBe(201);
  });
});

/** GET with a Host header of our choosing (fetch does not let a caller set Host). */
function getWithHost(path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${osprey.url}${path}`,
      { headers: { ...auth(), host, 'x-forwarded-host': host } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('production answer', () => {
  it('never builds artifact_url from Host: relative without OSPREY_PUBLIC_URL, under it when set', async () => {
    const promoted = await fetch(`${osprey.url}/api/v1/models/houses/promote`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ version: 'v1', reason: 'test' }),
    });
    expect(promoted.status).toBe(201);
    const relative = await getWithHost('/v1/models/houses/production', 'evil.example');
    expect(relative.status).toBe(200);
    expect(JSON.parse(relative.body)).toMatchObject({
      version: 'v1',
      artifact_url: '/v1/models/houses/versions/v1/artifact',
    });

    await osprey.stop();
    osprey = await startOsprey({
      dataDir: osprey.dataDir,
      apiKey: osprey.apiKey,
      env: {
        OSPREY_DETECTORS: 'off',
        OSPREY_SHADOW_RUNNER: 'off',
        OSPREY_PUBLIC_URL: 'https://osprey.example.com/base',
      },
    });
    const absolute = await getWithHost('/v1/models/houses/production', 'evil.example');
    expect(JSON.parse(absolute.body)).toMatchObject({
      artifact_url: 'https://osprey.example.com/base/v1/models/houses/versions/v1/artifact',
    });
  });
});

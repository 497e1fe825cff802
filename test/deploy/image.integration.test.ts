import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_BASE_IMAGE, ensureOspreyImage, podman } from '../support/container-image';
import { post } from '../support/http';
import { freePort } from '../support/osprey-process';

// deploy/docker/Dockerfile built FROM the local Node base, run the way docs/deploy.md tells users
// to: `osprey start --demo`, non-root, read-only root filesystem, data on named volumes.
const suffix = randomBytes(4).toString('hex');
const dataVolume = `osprey-test-data-${suffix}`;
const adminKey = `osp_image_test_${suffix}_admin_0000000001`;
let image: string;
const containers: string[] = [];

beforeAll(async () => {
  image = await ensureOspreyImage();
}, 900_000);

afterAll(async () => {
  for (const name of containers)
    await podman(['rm', '-f', '-t', '0', name], { allowFailure: true });
  await podman(['volume', 'rm', '-f', dataVolume], { allowFailure: true });
});

async function startContainer(
  apiKey: string,
): Promise<{ name: string; url: string; startMs: number }> {
  const name = `osprey-image-test-${suffix}-${containers.length}`;
  const port = await freePort();
  containers.push(name);
  const started = Date.now();
  await podman([
    'run',
    '-d',
    '--name',
    name,
    '--read-only',
    '--tmpfs',
    '/tmp',
    '-v',
    `${dataVolume}:/var/lib/osprey`,
    '-p',
    `127.0.0.1:${port}:3000`,
    '-e',
    `OSPREY_API_KEY=${apiKey}`,
    '-e',
    'LOG_LEVEL=info',
    image,
    'start',
    '--demo',
  ]);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    const state = await podman(['inspect', '--format', '{{.State.Status}}', name]);
    if (state.stdout.trim() !== 'running' || Date.now() > deadline) {
      const logs = await podman(['logs', name], { allowFailure: true });
      throw new Error(
        `container ${name} is ${state.stdout.trim()}, no /healthz:\n${logs.stderr}${logs.stdout}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { name, url, startMs: Date.now() - started };
}

async function waitForLog(name: string, pattern: RegExp, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test((await podman(['logs', name])).stdout)) {
    if (Date.now() > deadline) throw new Error(`${name} never logged ${pattern}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('the container image', () => {
  it('is built FROM the local Node base (its layers come first)', async () => {
    const layers = async (ref: string) =>
      JSON.parse(
        (await podman(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref])).stdout,
      ) as string[];
    const base = await layers(NODE_BASE_IMAGE);
    const built = await layers(image);
    expect(built.length).toBeGreaterThan(base.length);
    expect(built.slice(0, base.length)).toEqual(base);
  });

  let readKey: string;

  it('serves the demo as a non-root user on a read-only root, healthy, and stops within 10 s of SIGTERM', async () => {
    const { name, url, startMs } = await startContainer(adminKey);
    console.log(`cold start to /healthz: ${startMs} ms`);

    expect((await podman(['exec', name, 'id', '-u'])).stdout.trim()).toBe('1000');
    expect((await podman(['healthcheck', 'run', name], { allowFailure: true })).code).toBe(0);
    // The dashboard is served, not only the API.
    const login = await fetch(`${url}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('</html>');

    const created = await post(
      `${url}/api/v1/api-keys`,
      JSON.stringify({ name: 'kept-on-the-volume', scopes: ['read'] }),
      { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    );
    expect(created.status).toBe(201);
    readKey = created.json.key as string;

    // Stopped once the demo has seeded its story and run its shadow replay (its first seconds,
    // docs/deploy.md); the detectors' backfill may still be running: SIGTERM ends it between
    // windows.
    await waitForLog(name, /demo traffic running/);
    await waitForLog(name, /"msg":"shadow run done"/);
    const stopStarted = Date.now();
    await podman(['stop', '-t', '10', name]);
    const stopMs = Date.now() - stopStarted;
    const exitCode = (
      await podman(['inspect', '--format', '{{.State.ExitCode}}', name])
    ).stdout.trim();
    console.log(`podman stop: ${stopMs} ms, exit code ${exitCode}`);
    // 0: osprey drained and exited on SIGTERM (a kill after the timeout would be 137).
    expect(exitCode).toBe('0');
    expect(stopMs).toBeLessThan(10_000);
    expect((await podman(['logs', name])).stdout).toContain('"msg":"shutting down"');
    await podman(['rm', name]);
  }, 300_000);

  it('keeps its data on the volume across podman rm and a new container', async () => {
    expect(readKey).toMatch(/^osp_/);
    const { url } = await startContainer(`osp_image_test_${suffix}_other_0000000002`);
    const get = (key: string) =>
      fetch(`${url}/api/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect((await get(readKey)).status).toBe(200);
    expect((await get(`osp_image_test_${suffix}_never_created_000`)).status).toBe(401);
  }, 300_000);
});

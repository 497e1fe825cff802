import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  freePort,
  prediction,
  startFakeCollector,
  type FakeCollector,
} from '../test/fake-collector';
import { Osprey, type OspreyError } from './index';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function collector(delayMs = 0): Promise<FakeCollector> {
  const c = await startFakeCollector((req) => ({
    status: 200,
    body: { accepted: req.events.length, rejected: [] },
    delayMs,
  }));
  cleanup.push(() => c.close());
  return c;
}

describe('flush and close', () => {
  it('flush() resolves once everything logged before it is sent', async () => {
    const c = await collector(50);
    const osprey = new Osprey({ url: c.url, apiKey: 'k', maxBatchSize: 7, onError: () => {} });
    cleanup.push(() => osprey.close());
    const ids = Array.from({ length: 40 }, (_, i) => osprey.log(prediction(i)));
    expect(await osprey.flush()).toBe(true);
    expect(c.received().map((e) => e.event_id)).toEqual(expect.arrayContaining(ids));
    expect(osprey.stats()).toMatchObject({ sent: 40, queued: 0, inFlight: 0 });
    expect(await osprey.flush()).toBe(true); // nothing left: at once
  });

  it('flush(timeoutMs) resolves false when the collector is unreachable, and delivery goes on', async () => {
    const osprey = new Osprey({
      url: `http://127.0.0.1:${await freePort()}`,
      apiKey: 'k',
      retryBaseDelayMs: 20,
      retryMaxDelayMs: 20,
      onError: () => {},
    });
    cleanup.push(() => osprey.close(50));
    osprey.log(prediction(1));
    const start = Date.now();
    expect(await osprey.flush(150)).toBe(false);
    expect(Date.now() - start).toBeLessThan(1000);
    expect(osprey.stats()).toMatchObject({ inFlight: 1, failed: 0 });
  });

  it('close() flushes, then drops and counts later events', async () => {
    const c = await collector();
    const errors: OspreyError[] = [];
    const osprey = new Osprey({ url: c.url, apiKey: 'k', onError: (e) => errors.push(e) });
    osprey.log(prediction(1));
    osprey.logLabel({ model: 'fraud-model', label: 0, request_id: 'r1' });
    expect(await osprey.close()).toBe(true);
    expect(c.requests).toHaveLength(2);
    expect(osprey.log(prediction(2))).toBe('');
    expect(osprey.logLabel({ model: 'fraud-model', label: 0, request_id: 'r2' })).toBe(false);
    expect(osprey.stats()).toMatchObject({ sent: 2, dropped: 2, queued: 0 });
    expect(errors.filter((e) => e.kind === 'closed')).toHaveLength(1);
    expect(await osprey.close()).toBe(true); // closing twice is harmless
  });

  it('shares one beforeExit listener among clients and removes it when the last one closes', async () => {
    const before = process.listenerCount('beforeExit');
    const clients = Array.from(
      { length: 20 },
      () => new Osprey({ url: 'http://127.0.0.1:1', apiKey: 'k' }),
    );
    expect(process.listenerCount('beforeExit')).toBe(before + 1);
    await Promise.all(clients.map((c) => c.close()));
    expect(process.listenerCount('beforeExit')).toBe(before);
    new Osprey({ url: 'http://127.0.0.1:1', apiKey: 'k', flushOnExit: false }).close();
    expect(process.listenerCount('beforeExit')).toBe(before);
  });

  it('refuses bad options with a message naming the option, never the key', () => {
    expect(() => new Osprey({ url: 'not a url', apiKey: 'k' })).toThrow(/url must be an absolute/);
    expect(() => new Osprey({ url: 'ftp://x', apiKey: 'k' })).toThrow(/http: or https:/);
    expect(() => new Osprey({ url: 'http://x', apiKey: '' })).toThrow(/apiKey is required/);
    expect(() => new Osprey({ url: 'http://x', apiKey: 'sekrit', maxBatchSize: 0 })).toThrow(
      /^Osprey: maxBatchSize must be/,
    );
    expect(() => new Osprey({ url: 'http://x', apiKey: 'sekrit', flushIntervalMs: 1.5 })).toThrow(
      /flushIntervalMs/,
    );
  });
});

describe('process exit', () => {
  const fixture = fileURLToPath(new URL('../test/fixtures/log-and-exit.ts', import.meta.url));

  function runFixture(url: string): Promise<{ code: number | null; ms: number; stderr: string }> {
    const start = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
        env: { ...process.env, OSPREY_URL: url },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the process did not exit within 8 s; stderr: ${stderr}`));
      }, 8000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, ms: Date.now() - start, stderr });
      });
    });
  }

  it('sends on beforeExit and lets the process end without close()', async () => {
    const c = await collector();
    const { code, stderr } = await runFixture(c.url);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(c.received()).toHaveLength(3);
  });

  it('does not keep the process alive while the collector is unreachable', async () => {
    const { code, ms, stderr } = await runFixture(`http://127.0.0.1:${await freePort()}`);
    expect(code).toBe(0);
    expect(stderr).toMatch(
      /retrying: sending 3 prediction events failed \(network error ECONNREFUSED\)/,
    );
    expect(ms).toBeLessThan(5000);
  });
});

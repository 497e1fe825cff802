import { afterEach } from 'vitest';
import { Osprey, type OspreyError, type OspreyOptions } from '../src/index';
import {
  acceptAll,
  startFakeCollector,
  type FakeCollector,
  type Responder,
} from './fake-collector';

/**
 * Fake collectors and clients for one test file, closed after each test (clients first). Clients
 * record what they report to onError.
 */
export function testHarness(apiKey: string, defaults: Partial<OspreyOptions>) {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  return {
    async collectorWith(respond: Responder = acceptAll, port = 0): Promise<FakeCollector> {
      const collector = await startFakeCollector(respond, port);
      cleanup.push(() => collector.close());
      return collector;
    },
    client(url: string, options: Partial<OspreyOptions> = {}) {
      const errors: OspreyError[] = [];
      const osprey = new Osprey({
        url,
        apiKey,
        onError: (e) => errors.push(e),
        ...defaults,
        ...options,
      });
      cleanup.push(() => osprey.close(2000));
      return { osprey, errors };
    },
  };
}

import { once } from 'node:events';
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { eventually } from '../support/http';
import { startOsprey } from '../support/osprey-process';

// A deploy's SIGTERM ends the process once the requests in flight are answered, whatever their
// clients do with the connection afterwards. A keep-alive client that never closes its socket
// (an SDK's pooled connection, a client that has not read its body yet) must not hold the server
// open until its keep-alive timeout (Node's default, 5 s after the answer) or the 15 s forced exit.
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

it('exits 0 on SIGTERM after answering a request in flight whose keep-alive client never closes', async () => {
  const osprey = await startOsprey({ env: { OSPREY_DETECTORS: 'off', LOG_LEVEL: 'info' } });
  const socket = connect(Number(new URL(osprey.url).port), '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  let answeredAt = 0;
  socket.on('data', (d: Buffer) => {
    received += d.toString('latin1');
    answeredAt ||= performance.now();
  });
  const closed = once(socket, 'close').then(() => performance.now());
  const body = JSON.stringify({ email: 'nobody@example.com', password: 'not-the-password-1' });
  // The headers now, the body only once shutdown has begun: the request is in flight then.
  socket.write(
    [
      'POST /api/v1/auth/login HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: keep-alive',
      '',
      '',
    ].join('\r\n'),
  );
  await new Promise((r) => setTimeout(r, 500));
  const exited = osprey.stop('SIGTERM');
  await eventually(async () => osprey.logs().includes('"msg":"shutting down"'), 10_000, 'shutdown');
  socket.write(body);

  expect(await exited).toBe(0);
  // The request was answered, then the server closed the connection itself, without waiting for
  // the keep-alive timeout to run out.
  expect(received).toMatch(/^HTTP\/1\.1 401 /);
  expect((await closed) - answeredAt).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS);
  expect(osprey.logs()).not.toContain('shutdown took longer than 15 s');
}, 60_000);

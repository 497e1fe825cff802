import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  body: string;
  /** Milliseconds from the first byte sent to the answer's status line. */
  afterMs: number;
}

/**
 * A request written by hand on a socket, as a slow or hostile client would: the headers, then the
 * body at whatever pace `send` chooses. Resolves with the answer's status once it arrives (or 0
 * when the server closed without one).
 */
export function rawRequest(opts: {
  port: number;
  method: string;
  path: string;
  headers?: Record<string, string | number>;
  /** Writes the body; the socket is given so it can dribble bytes on timers. */
  send?: (socket: Socket) => void;
}): { answer: Promise<RawAnswer>; socket: Socket } {
  const socket = connect(opts.port, '127.0.0.1');
  const started = performance.now();
  const answer = new Promise<RawAnswer>((resolve) => {
    let received = '';
    let status = 0;
    let at = 0;
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      if (!status) {
        const m = /^HTTP\/1\.1 (\d{3})/.exec(received);
        if (m) {
          status = Number(m[1]);
          at = performance.now() - started;
        }
      }
    });
    const done = () =>
      resolve({ status, body: received.slice(received.indexOf('\r\n\r\n') + 4), afterMs: at });
    socket.on('close', done);
    socket.on('error', () => undefined);
  });
  socket.on('connect', () => {
    const head = [`${opts.method} ${opts.path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
    for (const [k, v] of Object.entries(opts.headers ?? {})) head.push(`${k}: ${v}`);
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    opts.send?.(socket);
  });
  return { answer, socket };
}

/** Sends one byte every `everyMs` until the socket closes (a slowloris body). */
export function dribble(everyMs: number): (socket: Socket) => void {
  return (socket) => {
    const timer = setInterval(() => {
      if (socket.destroyed || !socket.writable) clearInterval(timer);
      else socket.write('x');
    }, everyMs);
    socket.on('close', () => clearInterval(timer));
  };
}

/**
 * A slowloris client of the collector: a valid key, `Content-Length: 100000`, one byte every 2 s
 * (issue #13 row 2).
 */
export function slowIngestClient(port: number, apiKey: string): ReturnType<typeof rawRequest> {
  return rawRequest({
    port,
    method: 'POST',
    path: '/v1/predictions',
    headers: {
      authorization: `Bearer ${apiKey}`,
      'content-type': 'application/json',
      'content-length': 100_000,
    },
    send: dribble(2_000),
  });
}

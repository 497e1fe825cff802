import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** How the receiver answers a request to a path; default 200. */
export type Responder = (req: Received, res: ServerResponse) => void;

export interface TestReceiver {
  port: number;
  url(path: string): string;
  received: Received[];
  /** Requests to one path, in order. */
  at(path: string): Received[];
  /** Sets how requests to `path` are answered from now on. */
  respond(path: string, responder: Responder): void;
  close(): Promise<void>;
}

/** A real HTTP receiver on loopback recording every request, with answers chosen per path. */
export async function startReceiver(port = 0): Promise<TestReceiver> {
  const received: Received[] = [];
  const responders = new Map<string, Responder>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers, body, at: Date.now() };
      received.push(r);
      (responders.get(r.path) ?? ((_q, s) => s.end('ok')))(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: (path) => `http://127.0.0.1:${actual}${path}`,
    received,
    at: (path) => received.filter((r) => r.path === path),
    respond: (path, responder) => responders.set(path, responder),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers `status` to the first `times` requests, then 200. */
export function failTimes(
  times: number,
  status: number,
  headers: Record<string, string> = {},
): Responder {
  let left = times;
  return (_req, res) => {
    if (left-- > 0) res.writeHead(status, headers).end();
    else res.end('ok');
  };
}

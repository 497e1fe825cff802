import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeTo: string[];
  mail: ParsedMail;
}

export interface TestSmtp {
  port: number;
  messages: ReceivedMail[];
  /** Whether each session that sent a message was encrypted (implicit TLS or STARTTLS). */
  secureSessions: boolean[];
  /** Users that logged in (AUTH), in order. */
  logins: string[];
  close(): Promise<void>;
}

export interface SmtpTls {
  key: string;
  cert: string;
  /** true: TLS from the first byte (smtps, port 465); false: plaintext that offers STARTTLS. */
  implicit: boolean;
  /** When set, AUTH is offered (only after TLS) and these credentials are required. */
  auth?: { user: string; pass: string };
}

/**
 * A real SMTP server on loopback (npm smtp-server) keeping every message, parsed by mailparser;
 * plaintext without STARTTLS unless `tls` is given.
 */
export async function startSmtp(port = 0, tls?: SmtpTls): Promise<TestSmtp> {
  const messages: ReceivedMail[] = [];
  const secureSessions: boolean[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    authOptional: !tls?.auth,
    disabledCommands: tls ? (tls.auth ? [] : ['AUTH']) : ['STARTTLS', 'AUTH'],
    ...(tls && { key: tls.key, cert: tls.cert, secure: tls.implicit }),
    logger: false,
    onAuth(auth, _session, callback) {
      if (tls?.auth && auth.username === tls.auth.user && auth.password === tls.auth.pass) {
        logins.push(auth.username!);
        callback(null, { user: auth.username });
      } else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          secureSessions.push(session.secure);
          messages.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        })
        .catch(callback);
    },
  });
  // A client that gives up mid-handshake (an untrusted certificate) is the client's failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    secureSessions,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

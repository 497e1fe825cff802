import { readFileSync } from 'node:fs';
import { Mailer } from '@osprey/detectors';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSmtp, type SmtpTls, type TestSmtp } from '../support/smtp';
import { ensureTestCerts, type TestCerts } from '../support/tls';

// The email channel's transport against a real SMTP server (npm smtp-server) holding a certificate
// of the test CA (deploy/tls/dev-certs.sh): implicit TLS, STARTTLS, and plaintext refused.
let certs: TestCerts;
let server: TestSmtp | undefined;
let mailer: Mailer | undefined;

beforeAll(async () => {
  certs = await ensureTestCerts();
});
afterEach(async () => {
  mailer?.close();
  await server?.close();
  server = mailer = undefined;
});

const auth = { user: 'alerts', pass: `pw-${Math.random().toString(36).slice(2)}` };
const tlsServer = (implicit: boolean): SmtpTls => ({
  implicit,
  key: readFileSync(certs.serverKeyFile, 'utf8'),
  cert: readFileSync(certs.serverCertFile, 'utf8'),
  auth,
});
const mail = (subject: string) => ({
  to: ['oncall@example.com'],
  subject,
  text: 'drift on fraud-v3',
  html: '<p>drift on fraud-v3</p>',
  messageId: `<${crypto.randomUUID()}@osprey>`,
});
const credentials = `${auth.user}:${auth.pass}`;

function mailerFor(
  url: string,
  opts: { requireTls?: 'true' | 'false'; caFile?: string | undefined } = {},
) {
  mailer = new Mailer({
    smtp: { url, caFile: certs.caFile, ...opts },
    from: 'Osprey <osprey@example.com>',
    timeoutMs: 5_000,
  });
  return mailer;
}

describe('SMTP over TLS', () => {
  it('delivers over implicit TLS (smtps://) trusting SMTP_CA_FILE, logging in inside TLS', async () => {
    server = await startSmtp(0, tlsServer(true));
    const outcome = await mailerFor(`smtps://${credentials}@localhost:${server.port}`).send(
      mail('implicit'),
    );
    expect(outcome).toEqual({ ok: true, code: 250 });
    expect(server.messages.map((m) => m.mail.subject)).toEqual(['implicit']);
    expect(server.secureSessions).toEqual([true]);
    expect(server.logins).toEqual(['alerts']);
  });

  it('upgrades smtp:// with STARTTLS when it is required, before logging in', async () => {
    server = await startSmtp(0, tlsServer(false));
    const outcome = await mailerFor(`smtp://${credentials}@localhost:${server.port}`, {
      requireTls: 'true',
    }).send(mail('starttls'));
    expect(outcome).toEqual({ ok: true, code: 250 });
    expect(server.secureSessions).toEqual([true]);
    expect(server.logins).toEqual(['alerts']);
  });

  it('refuses a plaintext-only server when TLS is required: nothing sent, the setting named', async () => {
    server = await startSmtp();
    const outcome = await mailerFor(`smtp://127.0.0.1:${server.port}`, {
      requireTls: 'true',
    }).send(mail('must not arrive'));
    expect(outcome.ok).toBe(false);
    expect(outcome.ok === false && outcome.error).toContain('does not offer STARTTLS');
    expect(outcome.ok === false && outcome.error).toContain('SMTP_REQUIRE_TLS');
    expect(server.messages).toEqual([]);
  });

  it('names SMTP_CA_FILE when the server certificate is not trusted', async () => {
    server = await startSmtp(0, tlsServer(true));
    const outcome = await mailerFor(`smtps://${credentials}@localhost:${server.port}`, {
      caFile: undefined,
    }).send(mail('untrusted'));
    expect(outcome.ok === false && outcome.error).toContain('SMTP_CA_FILE');
    expect(outcome.ok === false && outcome.error).not.toContain(auth.pass);
    expect(server.messages).toEqual([]);
  });
});

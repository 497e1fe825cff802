import { readPemFile } from '@osprey/db';
import { isIP } from 'node:net';

export interface SmtpSettings {
  url: string;
  /** SMTP_REQUIRE_TLS as given; undefined means "yes unless the server is on loopback". */
  requireTls?: 'true' | 'false';
  caFile?: string;
}

/** nodemailer transport options for SMTP_URL with the TLS the settings ask for. */
export function smtpTransportOptions(settings: SmtpSettings, timeoutMs: number) {
  const url = new URL(settings.url);
  const implicitTls = url.protocol === 'smtps:';
  const requireTLS =
    !implicitTls && (settings.requireTls ? settings.requireTls === 'true' : !isLoopback(url));
  return {
    url: settings.url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    requireTLS,
    ...(settings.caFile && {
      tls: { ca: readPemFile('SMTP_CA_FILE', settings.caFile, (message) => new Error(message)) },
    }),
  };
}

function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** A TLS failure told in the settings' words; other errors are left as nodemailer words them. */
export function explainSmtpTlsError(err: { code?: string; message: string }): string | undefined {
  if (/certificate|CERT_|SELF_SIGNED|ERR_TLS|altnames/i.test(`${err.code ?? ''} ${err.message}`))
    return `the TLS handshake with the SMTP server failed (${err.message}): check SMTP_CA_FILE holds the CA that signed its certificate and that SMTP_URL names the host as the certificate does`;
  if (err.code === 'ETLS' && /STARTTLS/.test(err.message))
    return `the SMTP server does not offer STARTTLS and SMTP_REQUIRE_TLS is on, so nothing was sent: use smtps:// if it speaks TLS on connect, or SMTP_REQUIRE_TLS=false to allow plaintext`;
  return undefined;
}

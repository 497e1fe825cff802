import { readFileSync } from 'node:fs';
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
    ...(settings.caFile && { tls: { ca: readCa(settings.caFile) } }),
  };
}

function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function readCa(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `SMTP_CA_FILE=${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  if (!text.includes('-----BEGIN '))
    throw new Error(`SMTP_CA_FILE=${path} is not a PEM file (no -----BEGIN line)`);
  return text;
}

/** A TLS failure told in the settings' words; other errors are left as nodemailer words them. */
export function explainSmtpTlsError(err: { code?: string; message: string }): string | undefined {
  if (/certificate|CERT_|SELF_SIGNED|ERR_TLS|altnames/i.test(`${err.code ?? ''} ${err.message}`))
    return `the TLS handshake with the SMTP server failed (${err.message}): check SMTP_CA_FILE holds the CA that signed its certificate and that SMTP_URL names the host as the certificate does`;
  if (err.code === 'ETLS' && /STARTTLS/.test(err.message))
    return `the SMTP server does not offer STARTTLS and SMTP_REQUIRE_TLS is on, so nothing was sent: use smtps:// if it speaks TLS on connect, or SMTP_REQUIRE_TLS=false to allow plaintext`;
  return undefined;
}

import { describe, expect, it } from 'vitest';
import { explainSmtpTlsError, smtpTransportOptions } from './smtp-transport';

const requireTLS = (url: string, requireTls?: 'true' | 'false') =>
  smtpTransportOptions({ url, requireTls }, 1_000).requireTLS;

describe('smtpTransportOptions', () => {
  it('requires STARTTLS by default, except on loopback where a local relay may be plaintext', () => {
    expect(requireTLS('smtp://u:p@mail.example.com:587')).toBe(true);
    expect(requireTLS('smtp://10.0.0.5:25')).toBe(true);
    expect(requireTLS('smtp://127.0.0.1:25')).toBe(false);
    expect(requireTLS('smtp://localhost:25')).toBe(false);
    expect(requireTLS('smtp://[::1]:25')).toBe(false);
  });

  it('follows SMTP_REQUIRE_TLS when given, and leaves smtps:// to implicit TLS', () => {
    expect(requireTLS('smtp://mail.example.com:25', 'false')).toBe(false);
    expect(requireTLS('smtp://127.0.0.1:25', 'true')).toBe(true);
    expect(requireTLS('smtps://mail.example.com:465')).toBe(false);
  });

  it('names SMTP_CA_FILE when it cannot be read', () => {
    expect(() =>
      smtpTransportOptions({ url: 'smtps://h:465', caFile: '/nonexistent/ca.pem' }, 1_000),
    ).toThrow('SMTP_CA_FILE=/nonexistent/ca.pem cannot be read: ENOENT');
  });
});

describe('explainSmtpTlsError', () => {
  it('tells a missing STARTTLS and an untrusted certificate apart, and leaves the rest', () => {
    expect(
      explainSmtpTlsError({ code: 'ETLS', message: 'Error upgrading connection with STARTTLS' }),
    ).toContain('SMTP_REQUIRE_TLS');
    expect(
      explainSmtpTlsError({ code: 'ESOCKET', message: 'unable to verify the first certificate' }),
    ).toContain('SMTP_CA_FILE');
    expect(explainSmtpTlsError({ code: 'EAUTH', message: 'Invalid login' })).toBeUndefined();
  });
});

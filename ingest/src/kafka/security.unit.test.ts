import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainKafkaError, kafkaSecurity } from './security';

const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
const pem = join(dir, 'ca.pem');
writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const notPem = join(dir, 'ca.der');
writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01]));

describe('kafkaSecurity', () => {
  it('is plaintext when nothing is set', () => {
    expect(kafkaSecurity({})).toEqual({});
  });

  it('turns TLS on with the system CAs, or with the CA file, which implies KAFKA_SSL', () => {
    expect(kafkaSecurity({ KAFKA_SSL: 'true' })).toEqual({ ssl: true });
    expect(kafkaSecurity({ KAFKA_SSL_CA_FILE: pem }).ssl).toEqual({
      ca: expect.stringContaining('BEGIN CERTIFICATE') as string,
    });
  });

  it('passes SCRAM credentials to the client', () => {
    expect(
      kafkaSecurity({
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }).sasl,
    ).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  });

  it('names the variable of each mistake', () => {
    expect(() => kafkaSecurity({ KAFKA_SSL_CERT_FILE: pem })).toThrow(
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together',
    );
    expect(() => kafkaSecurity({ KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: pem })).toThrow(
      'KAFKA_SSL=false but KAFKA_SSL_CA_FILE',
    );
    expect(() => kafkaSecurity({ KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') })).toThrow(
      /KAFKA_SSL_CA_FILE=.*missing\.pem cannot be read: ENOENT/,
    );
    expect(() => kafkaSecurity({ KAFKA_SSL_CA_FILE: notPem })).toThrow('is not a PEM file');
    expect(() =>
      kafkaSecurity({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }),
    ).toThrow('KAFKA_SASL_MECHANISM=plain needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
    expect(() => kafkaSecurity({ KAFKA_SASL_PASSWORD: 'secret-value' })).toThrow(
      /without KAFKA_SASL_MECHANISM/,
    );
  });
});

describe('explainKafkaError', () => {
  const sasl = kafkaSecurity({
    KAFKA_SASL_MECHANISM: 'scram-sha-256',
    KAFKA_SASL_USERNAME: 'svc',
    KAFKA_SASL_PASSWORD: 'hunter2-secret',
  });

  it('tells a refused login in the settings’ words, without the password', () => {
    const err = Object.assign(new Error('SASL SCRAM SHA256 authentication failed: bad'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const explained = explainKafkaError(err, sasl)!.message;
    expect(explained).toContain('KAFKA_SASL_USERNAME=svc');
    expect(explained).toContain('check KAFKA_SASL_PASSWORD');
    expect(explained).not.toContain('hunter2-secret');
  });

  it('points an untrusted certificate at KAFKA_SSL_CA_FILE and leaves other errors alone', () => {
    const tls = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    expect(explainKafkaError(tls, {})!.message).toContain('KAFKA_SSL_CA_FILE');
    expect(explainKafkaError(new Error('Connection timeout'), sasl)).toBeUndefined();
  });
});

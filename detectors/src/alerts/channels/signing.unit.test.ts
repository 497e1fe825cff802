import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signPayload, webhookHeaders } from './signing';

// The vector both SDKs' verifyWebhook tests check against: this keeps it the server's output.
const vector = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '../../../../test/fixtures/webhook-signature-vector.json'),
    'utf8',
  ),
) as {
  secrets: string[];
  id: string;
  now_ms: number;
  body: string;
  headers: Record<string, string>;
};

describe('webhook signing', () => {
  it('reproduces the shared test vector (two secrets during a rotation: two signatures)', () => {
    expect(webhookHeaders(vector.secrets, vector.id, vector.body, vector.now_ms)).toEqual(
      vector.headers,
    );
  });

  it('is HMAC-SHA256 over id.timestamp.body with the base64-decoded secret (checked with WebCrypto)', async () => {
    const raw = Buffer.from('a secret of twenty-four bytes!');
    const key = await crypto.subtle.importKey(
      'raw',
      raw,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const mac = await crypto.subtle.sign(
      'HMAC',
      key,
      new TextEncoder().encode('msg_1.1700000000.{"a":1}'),
    );
    expect(signPayload(`whsec_${raw.toString('base64')}`, 'msg_1', 1_700_000_000, '{"a":1}')).toBe(
      `v1,${Buffer.from(mac).toString('base64')}`,
    );
  });
});

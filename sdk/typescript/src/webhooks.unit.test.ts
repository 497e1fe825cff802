import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from './webhooks';

// Signed by the server's code (detectors/src/alerts/channels/signing.ts, which checks it too).
const vector = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '../../../test/fixtures/webhook-signature-vector.json'),
    'utf8',
  ),
) as { secrets: string[]; now_ms: number; body: string; headers: Record<string, string> };
const at = { now: vector.now_ms };

describe('verifyWebhook', () => {
  it('accepts the server-signed message with either secret of a rotation and answers the payload', () => {
    for (const secret of vector.secrets) {
      expect(verifyWebhook(secret, vector.headers, vector.body, at)).toMatchObject({
        type: 'alert.firing',
        data: { model: 'house-prices', note: 'unicode: é ✓' },
      });
    }
  });

  it('takes fetch Headers, Node header objects and raw bytes', () => {
    const secret = vector.secrets[0]!;
    expect(verifyWebhook(secret, new Headers(vector.headers), vector.body, at)).toBeTruthy();
    const node = Object.fromEntries(
      Object.entries(vector.headers).map(([k, v]) => [k.toUpperCase(), v]),
    );
    expect(verifyWebhook(secret, node, Buffer.from(vector.body), at)).toBeTruthy();
  });

  it('refuses a changed body, another secret, a stale timestamp and missing headers', () => {
    const secret = vector.secrets[0]!;
    const refuses = (fn: () => unknown, message: string) => {
      expect(fn).toThrow(WebhookVerificationError);
      expect(fn).toThrow(message);
    };
    refuses(
      () => verifyWebhook(secret, vector.headers, vector.body.replace('firing', 'resolved'), at),
      'no signature',
    );
    refuses(
      () =>
        verifyWebhook(
          `whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`,
          vector.headers,
          vector.body,
          at,
        ),
      'no signature',
    );
    refuses(
      () => verifyWebhook(secret, vector.headers, vector.body, { now: vector.now_ms + 301_000 }),
      'more than 300 s',
    );
    refuses(
      () => verifyWebhook(secret, vector.headers, vector.body, { now: vector.now_ms - 301_000 }),
      'more than 300 s',
    );
    expect(
      verifyWebhook(secret, vector.headers, vector.body, {
        now: vector.now_ms + 600_000,
        toleranceSeconds: 900,
      }),
    ).toBeTruthy();
    const { 'webhook-signature': _s, ...unsigned } = vector.headers;
    refuses(() => verifyWebhook(secret, unsigned, vector.body, at), 'missing');
    refuses(
      () =>
        verifyWebhook(
          secret,
          { ...vector.headers, 'webhook-signature': 'v2,abc v1' },
          vector.body,
          at,
        ),
      'no signature',
    );
  });
});

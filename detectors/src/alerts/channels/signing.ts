import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): HMAC-SHA256 with the secret's
 * bytes (base64 after "whsec_") over `${id}.${timestamp}.${body}`, sent as "v1,<base64>". During a
 * rotation every live secret signs and the header carries the signatures separated by spaces.
 * node:crypto does this in a few lines; the `standardwebhooks` package checks it in the tests.
 */
export function signPayload(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The headers of one attempt; the timestamp is the attempt's, in seconds. */
export function webhookHeaders(
  secrets: readonly string[],
  id: string,
  body: string,
  nowMs = Date.now(),
): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'Osprey-Webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signPayload(s, id, timestamp, body)).join(' '),
  };
}

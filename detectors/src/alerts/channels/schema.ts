import { z } from 'zod';

const WHSEC = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** A Standard Webhooks secret: "whsec_" and 24 to 64 random bytes in base64. */
export const webhookSecret = z
  .string()
  .regex(WHSEC, 'must be "whsec_" followed by base64')
  .refine(
    (s) => {
      const n = Buffer.from(s.slice(6), 'base64').length;
      return n >= 24 && n <= 64;
    },
    { message: 'must hold 24 to 64 bytes (base64 after "whsec_")' },
  );

const name = z.string({ error: 'required, a string' }).trim().min(1, 'must not be empty').max(200);

export const emailChannel = z.strictObject({
  kind: z.literal('email'),
  name,
  to: z
    .array(z.email({ error: 'must be email addresses' }), {
      error: 'required, a list of email addresses',
    })
    .min(1, 'needs at least one address')
    .max(50),
});

export const webhookChannel = z.strictObject({
  kind: z.literal('webhook'),
  name,
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2_000),
  /** The signing secret; generated when omitted (the answer shows it). */
  secret: webhookSecret.optional(),
  /** "standard": Osprey's versioned JSON; "slack": {"text": …} for Slack-compatible endpoints. */
  format: z
    .enum(['standard', 'slack'], { error: 'must be "standard" or "slack"' })
    .default('standard'),
  /** Also receives `deployment.changed` on every promote and rollback of any model. */
  deployments: z.boolean({ error: 'must be true or false' }).default(false),
});

export const channelInput = z.discriminatedUnion('kind', [emailChannel, webhookChannel], {
  error: 'must be "email" or "webhook"',
});
export type ChannelInput = z.input<typeof channelInput>;
export type ChannelSpec = z.infer<typeof channelInput>;

/** PUT body: the whole channel again, plus an optional secret rotation for webhooks. */
export const channelUpdate = z.discriminatedUnion(
  'kind',
  [emailChannel, webhookChannel.extend({ rotate_secret: z.boolean().default(false) })],
  { error: 'must be "email" or "webhook"' },
);
export type ChannelUpdate = z.infer<typeof channelUpdate>;

export interface SigningSecret {
  secret: string;
  /** Epoch ms after which a rotated-out secret no longer signs; null for the current one. */
  expires_at: number | null;
}

/** A channel as stored; `secrets` never leaves the server except when created or rotated. */
export type Channel = (
  Omit<z.infer<typeof emailChannel>, never> | Omit<z.infer<typeof webhookChannel>, 'secret'>
) & {
  id: string;
  secrets: SigningSecret[];
  disabled_reason: string;
  updated_at: string;
};

/** What listings show: no secrets. */
export type PublicChannel = Omit<Channel, 'secrets' | 'disabled_reason'> & {
  enabled: boolean;
  disabled_reason: string | null;
};

export function publicChannel({ secrets: _s, disabled_reason, ...c }: Channel): PublicChannel {
  return { ...c, enabled: disabled_reason === '', disabled_reason: disabled_reason || null };
}

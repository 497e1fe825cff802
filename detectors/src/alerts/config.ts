import { z } from 'zod';

const seconds = (fallback: number) => z.coerce.number().nonnegative().default(fallback);

/** The alert engine's and its channels' settings (docs/alerts.md). */
export const alertsEnv = z.object({
  /** SMTP server for email channels, e.g. smtp://user:pass@mail.example.com:587 or smtps://…:465. */
  SMTP_URL: z.url({ error: 'must be a URL such as smtp://user:pass@host:587' }).optional(),
  /**
   * smtp:// only (smtps:// is TLS from the first byte): refuse to send unless the server upgrades
   * the connection with STARTTLS. Default: true, except for a server on a loopback address.
   */
  SMTP_REQUIRE_TLS: z.enum(['true', 'false']).optional(),
  /** PEM bundle of the CA(s) that signed the SMTP server's certificate (default: public CAs). */
  SMTP_CA_FILE: z.string().min(1).optional(),
  /** Sender of alert emails. */
  OSPREY_MAIL_FROM: z.string().min(3).default('Osprey <osprey@localhost>'),
  /** Where the dashboard is reached; links in notifications start with it. */
  OSPREY_PUBLIC_URL: z
    .url({ error: 'must be a URL such as https://osprey.example.com' })
    .optional(),
  /**
   * Hosts, addresses or CIDR ranges that webhooks may reach although they are private, loopback
   * or link-local (comma-separated, e.g. "127.0.0.1,10.0.0.0/8,hooks.internal").
   */
  OSPREY_WEBHOOK_ALLOW: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  /** Seconds to wait after an alert of a model fires for others to send them in one message. */
  OSPREY_ALERT_GROUP_WAIT: seconds(30),
  /** First retry delay (doubled each attempt, with jitter) and the longest delay, in seconds. */
  OSPREY_ALERT_RETRY_BASE_SECONDS: seconds(5),
  OSPREY_ALERT_RETRY_MAX_SECONDS: seconds(3_600),
  /** Attempts per delivery before it is given up (failed). */
  OSPREY_ALERT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  /** How often the delivery worker looks for due deliveries (it is also woken in-process). */
  OSPREY_ALERT_POLL_SECONDS: z.coerce.number().positive().default(2),
  /** Time allowed for a webhook answer or an SMTP exchange. */
  OSPREY_WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().positive().default(15),
});
export type AlertsEnv = z.infer<typeof alertsEnv>;

import type { Delivery } from '../types';
import type { EgressPolicy } from './egress';
import type { Mailer } from './email';
import {
  alertMail,
  eventLine,
  eventMail,
  eventPayload,
  slackPayload,
  webhookPayload,
} from './message';
import type { Outcome } from './outcome';
import type { Channel } from './schema';
import { liveSecrets } from './store';
import { webhookHeaders } from './signing';
import { postWebhook } from './webhook';

/** Sends one delivery through its channel: an email, or a signed webhook POST. */
export class ChannelSender {
  constructor(
    private readonly opts: {
      mailer: Mailer;
      policy: EgressPolicy;
      timeoutMs: number;
      publicUrl: string;
    },
  ) {}

  send(channel: Channel, d: Delivery): Promise<Outcome> {
    if (channel.kind === 'email') {
      const mail = d.event
        ? eventMail({ ...d, event: d.event }, channel.to)
        : alertMail(d, channel.to, this.opts.publicUrl);
      return this.opts.mailer.send(mail);
    }
    const payload = d.event
      ? channel.format === 'slack'
        ? { text: eventLine(d.event) }
        : eventPayload({ ...d, event: d.event }, this.opts.publicUrl)
      : channel.format === 'slack'
        ? slackPayload(d, this.opts.publicUrl)
        : webhookPayload(d, this.opts.publicUrl);
    const body = JSON.stringify(payload);
    const secrets = liveSecrets(channel);
    // Never unsigned: a receiver that checks signatures would drop it, one that does not is fooled.
    if (secrets.length === 0)
      return Promise.resolve({
        ok: false,
        error: channel.disabled_reason || 'the channel has no signing secret',
      });
    return postWebhook({
      url: channel.url,
      body,
      headers: webhookHeaders(secrets, d.id, body),
      timeoutMs: this.opts.timeoutMs,
      policy: this.opts.policy,
    });
  }
}

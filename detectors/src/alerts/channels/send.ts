import type { Delivery } from '../types';
import type { EgressPolicy } from './egress';
import type { Mailer } from './email';
import { alertMail, slackPayload, webhookPayload } from './message';
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
      return this.opts.mailer.send(alertMail(d, channel.to, this.opts.publicUrl));
    }
    const payload =
      channel.format === 'slack'
        ? slackPayload(d, this.opts.publicUrl)
        : webhookPayload(d, this.opts.publicUrl);
    const body = JSON.stringify(payload);
    return postWebhook({
      url: channel.url,
      body,
      headers: webhookHeaders(liveSecrets(channel), d.id, body),
      timeoutMs: this.opts.timeoutMs,
      policy: this.opts.policy,
    });
  }
}

import { publicChannel, type Channel } from '@osprey/detectors';
import type { Caller } from '@/lib/api/with-auth';

/**
 * A channel as this caller may see it. Admins get its settings (never its secrets); others get
 * enough to pick it in an alert rule — a webhook URL can itself be a credential (Slack's are) and
 * addresses are personal data.
 */
export function channelFor(caller: Caller, channel: Channel) {
  const full = publicChannel(channel);
  if (caller.role === 'admin') return full;
  const { id, kind, name, enabled, disabled_reason } = full;
  return { id, kind, name, enabled, disabled_reason };
}

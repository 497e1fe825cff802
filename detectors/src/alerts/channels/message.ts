import type { AlertNotice, Delivery, DeliveryEvent } from '../types';
import type { Mail } from './email';

export const PAYLOAD_SCHEMA_VERSION = 1;
/** The group key of "send test notification" messages (their type is alert.test). */
export const TEST_GROUP = 'test';

/** The versioned webhook payload (docs/alerts.md), in Standard Webhooks' {type, timestamp, data} shape. */
export function webhookPayload(d: Delivery, publicUrl: string) {
  const firing = d.alerts.filter((a) => a.status === 'firing').length;
  const status = firing > 0 ? 'firing' : 'resolved';
  return {
    type: d.group_key === TEST_GROUP ? 'alert.test' : `alert.${status}`,
    timestamp: new Date(d.created_at).toISOString(),
    data: {
      schema_version: PAYLOAD_SCHEMA_VERSION,
      delivery_id: d.id,
      status,
      model: d.model,
      counts: { firing, resolved: d.alerts.length - firing },
      alerts: d.alerts,
      dashboard_url: dashboardUrl(publicUrl, d.model),
    },
  };
}

/**
 * An event delivery (deployment.changed, docs/alerts.md) in the same {type, timestamp, data} shape;
 * `data` is the event's own document plus the schema version and delivery id.
 */
export function eventPayload(d: Delivery & { event: DeliveryEvent }, publicUrl: string) {
  return {
    type: d.event.type,
    timestamp: new Date(d.created_at).toISOString(),
    data: {
      schema_version: PAYLOAD_SCHEMA_VERSION,
      delivery_id: d.id,
      ...d.event.data,
      dashboard_url: dashboardUrl(publicUrl, d.model),
    },
  };
}

/** One line for an event: what changed, by whom and why. */
export function eventLine(event: DeliveryEvent): string {
  const e = event.data as Record<string, unknown>;
  return (
    `${e.model}: production is now ${e.version} (${e.action}` +
    `${e.previous_version ? ` from ${e.previous_version}` : ''} by ${e.actor}: ${e.reason})`
  );
}

export function dashboardUrl(publicUrl: string, model: string): string {
  return `${publicUrl.replace(/\/$/, '')}/models/${encodeURIComponent(model)}`;
}

function number(v: number | null): string {
  if (v === null) return 'no value';
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
    ? v.toExponential(4)
    : String(Number(v.toPrecision(6)));
}

function where(a: AlertNotice): string {
  return [a.feature && `feature ${a.feature}`, a.segment && `segment ${a.segment}`]
    .filter(Boolean)
    .join(', ');
}

/** One line per alert: what was measured, against what, in which window. */
export function alertLine(a: AlertNotice): string {
  const scope = where(a);
  return (
    `[${a.status.toUpperCase()}${a.repeat ? ', still' : ''}] ${a.rule.name} (${a.rule.severity}): ` +
    `${a.rule.metric} = ${number(a.value)} ${a.status === 'firing' ? '' : 'now, rule '}` +
    `${a.rule.op} ${number(a.rule.threshold)}` +
    `${scope ? ` on ${scope}` : ''}, window ${a.window.from} to ${a.window.to}` +
    (a.rule.action !== 'none' && a.status === 'firing' ? `; action: ${a.rule.action}` : '')
  );
}

function title(d: Delivery): string {
  const firing = d.alerts.filter((a) => a.status === 'firing');
  const shown = firing.length > 0 ? firing : d.alerts;
  const first = shown[0]!;
  const more = shown.length > 1 ? ` and ${shown.length - 1} more` : '';
  const state = firing.length > 0 ? `FIRING:${firing.length}` : `RESOLVED:${d.alerts.length}`;
  return `[${state}] ${d.model}: ${first.rule.name}${more}`;
}

/** The Slack-compatible body: {"text": …} with one line per alert. */
export function slackPayload(d: Delivery, publicUrl: string) {
  const link = dashboardUrl(publicUrl, d.model);
  return {
    text: [
      `*${title(d)}*`,
      ...d.alerts.map((a) => `• ${alertLine(a)}`),
      `<${link}|Open in Osprey>`,
    ].join('\n'),
  };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function alertMail(d: Delivery, to: string[], publicUrl: string): Mail {
  const link = dashboardUrl(publicUrl, d.model);
  const subject = `[Osprey] ${title(d)}`;
  const text = [
    title(d),
    '',
    ...d.alerts.map((a) => `- ${alertLine(a)}`),
    '',
    `Dashboard: ${link}`,
  ].join('\n');
  const rows = d.alerts
    .map(
      (a) =>
        `<tr><td>${escape(a.status)}</td><td>${escape(a.rule.name)}</td><td>${escape(a.rule.severity)}</td>` +
        `<td>${escape(a.rule.metric)}</td><td>${escape(where(a) || '—')}</td><td>${escape(number(a.value))}</td>` +
        `<td>${escape(`${a.rule.op} ${number(a.rule.threshold)}`)}</td>` +
        `<td>${escape(a.window.from)} – ${escape(a.window.to)}</td></tr>`,
    )
    .join('');
  const html =
    `<h2>${escape(title(d))}</h2><table border="1" cellpadding="4" cellspacing="0">` +
    `<tr><th>Status</th><th>Rule</th><th>Severity</th><th>Metric</th><th>Scope</th><th>Value</th>` +
    `<th>Threshold</th><th>Window</th></tr>${rows}</table>` +
    `<p><a href="${escape(link)}">Open ${escape(d.model)} in Osprey</a></p>`;
  return { to, subject, text, html, messageId: `<${d.id}@osprey>` };
}

export function eventMail(d: Delivery & { event: DeliveryEvent }, to: string[]): Mail {
  const text = eventLine(d.event);
  return {
    to,
    subject: `[Osprey] ${text}`,
    text,
    html: `<p>${escape(text)}</p>`,
    messageId: `<${d.id}@osprey>`,
  };
}

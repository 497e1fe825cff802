import nodemailer, { type Transporter } from 'nodemailer';
import type { Outcome } from './outcome';
import { explainSmtpTlsError, smtpTransportOptions, type SmtpSettings } from './smtp-transport';

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Stable per delivery, so a retried message can be recognised as the same one. */
  messageId: string;
}

/**
 * Sends alert emails over SMTP_URL with nodemailer; one transport per process. smtps:// is TLS
 * from the first byte; smtp:// upgrades with STARTTLS, required unless SMTP_REQUIRE_TLS=false.
 */
export class Mailer {
  private transport: Transporter | undefined;

  constructor(
    private readonly opts: {
      smtp?: Omit<SmtpSettings, 'url'> & { url?: string };
      from: string;
      timeoutMs: number;
    },
  ) {}

  async send(mail: Mail): Promise<Outcome> {
    const smtp = this.opts.smtp;
    if (!smtp?.url) {
      return { ok: false, error: 'SMTP_URL is not set; email channels need an SMTP server' };
    }
    try {
      this.transport ??= nodemailer.createTransport(
        smtpTransportOptions({ ...smtp, url: smtp.url }, this.opts.timeoutMs),
      );
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
    try {
      const info = (await this.transport.sendMail({ from: this.opts.from, ...mail })) as {
        rejected?: unknown[];
      };
      if (info.rejected?.length) {
        return {
          ok: false,
          error: `rejected recipients: ${info.rejected.join(', ')}`,
          permanent: true,
        };
      }
      return { ok: true, code: 250 };
    } catch (err) {
      const e = err as Error & { responseCode?: number; code?: string };
      // SMTP 5xx is a permanent refusal (e.g. 550 no such mailbox); 4xx and connection failures pass.
      const permanent = e.responseCode !== undefined && e.responseCode >= 500;
      return {
        ok: false,
        error: `${e.code ?? 'SMTP'}: ${explainSmtpTlsError(e) ?? e.message}`,
        permanent,
        ...(e.responseCode !== undefined && { code: e.responseCode }),
      };
    }
  }

  close(): void {
    this.transport?.close();
  }
}

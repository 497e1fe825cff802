import nodemailer, { type Transporter } from 'nodemailer';
import type { Outcome } from './outcome';

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Stable per delivery, so a retried message can be recognised as the same one. */
  messageId: string;
}

/** Sends alert emails over SMTP_URL with nodemailer; one transport per process. */
export class Mailer {
  private transport: Transporter | undefined;

  constructor(private readonly opts: { smtpUrl?: string; from: string; timeoutMs: number }) {}

  async send(mail: Mail): Promise<Outcome> {
    if (!this.opts.smtpUrl) {
      return { ok: false, error: 'SMTP_URL is not set; email channels need an SMTP server' };
    }
    this.transport ??= nodemailer.createTransport(this.opts.smtpUrl, {
      connectionTimeout: this.opts.timeoutMs,
      greetingTimeout: this.opts.timeoutMs,
      socketTimeout: this.opts.timeoutMs,
    } as object);
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
        error: `${e.code ?? 'SMTP'}: ${e.message}`,
        permanent,
        ...(e.responseCode !== undefined && { code: e.responseCode }),
      };
    }
  }

  close(): void {
    this.transport?.close();
  }
}

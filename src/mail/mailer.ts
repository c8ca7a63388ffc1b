/**
 * Mail through Cloudflare's Email Service: the `send_email` binding `EMAIL` (wrangler emulates it
 * locally and writes each message to a file). Sending runs after the response (`defer`), so an
 * answer never waits for, or reveals, delivery; a failure is logged without the address.
 */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Queues `message` to be sent after the response. */
  send(message: MailMessage): void;
}

export function bindingMailer(binding: SendEmail | undefined, from: string, defer: (work: Promise<unknown>) => void): Mailer {
  return {
    send(message) {
      defer(
        (async () => {
          try {
            if (!binding) throw new Error("no EMAIL binding");
            await binding.send({ from, ...message });
          } catch (error) {
            console.error(JSON.stringify({ level: "error", event: "mail-failed", subject: message.subject, message: (error as Error).message }));
          }
        })(),
      );
    },
  };
}

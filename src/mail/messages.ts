/** The messages this service mails: short, plain text plus simple HTML, saying what, how long, and what to do if unasked. */
import type { MailMessage } from "./mailer";

const escape = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function message(to: string, subject: string, lines: string[], link: { url: string; label: string }): MailMessage {
  const text = [...lines.slice(0, 1), "", link.url, "", ...lines.slice(1)].join("\n");
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
<p>${escape(lines[0]!)}</p>
<p><a href="${escape(link.url)}">${escape(link.label)}</a></p>
${lines.slice(1).map((line) => `<p>${escape(line)}</p>`).join("\n")}
</body></html>`;
  return { to, subject, text, html };
}

export function passwordResetMessage(to: string, username: string, url: string, validMinutes: number): MailMessage {
  return message(
    to,
    "Reset your password",
    [
      `Someone asked to reset the password of the account ${username}. To choose a new password, open this link:`,
      `The link works once, for ${validMinutes} minutes.`,
      "If you did not ask for this, ignore this message: your password stays as it is.",
    ],
    { url, label: "Choose a new password" },
  );
}

export function verificationMessage(to: string, username: string, url: string, validHours: number): MailMessage {
  return message(
    to,
    "Confirm your email address",
    [
      `Please confirm that ${to} is the email address of the account ${username} by opening this link:`,
      `The link works for ${validHours} hours.`,
      "If you did not create this account or change its address, ignore this message.",
    ],
    { url, label: "Confirm this address" },
  );
}

export function emailChangeNotice(to: string, username: string, newAddress: string): MailMessage {
  const text = [
    `Someone asked to change the email address of the account ${username} from this address to ${newAddress}.`,
    "The change happens only once the new address is confirmed from the message sent to it.",
    "If you did not ask for this, change your password now: your account may be in someone else's hands.",
  ].join("\n\n");
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${text.split("\n\n").map((line) => `<p>${escape(line)}</p>`).join("\n")}</body></html>`;
  return { to, subject: "Your email address is being changed", text, html };
}

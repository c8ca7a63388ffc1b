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

/** To the old address, when a change of the account's address has taken effect (every other session has ended with it). */
export function emailChangeNotice(to: string, username: string, newAddress: string): MailMessage {
  const text = [
    `The email address of the account ${username} was changed from this address to ${newAddress}. Every other session of the account has been signed out.`,
    "If you made this change, there is nothing to do.",
    "If you did not, someone who knows your password has your account: sign in, change your password and set your address back now, or ask the service's administrators for help.",
  ].join("\n\n");
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${text.split("\n\n").map((line) => `<p>${escape(line)}</p>`).join("\n")}</body></html>`;
  return { to, subject: "Your email address was changed", text, html };
}

import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import type { resetPageRoute, verifyPageRoute } from "./account.routes";

/**
 * An account page: its script (from /account-assets/) reads the uid, token or key from the page's
 * own address; the HTML holds nothing of the link.
 */
const page = (title: string, script: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="stylesheet" href="/account-assets/account.css">
<script type="module" src="/account-assets/${script}"></script>
</head>
<body>
<main>
<h1>${title}</h1>
${body}
<p id="message" role="status" aria-live="polite"></p>
</main>
</body>
</html>
`;

const RESET_PAGE = page(
  "Choose a new password",
  "reset.js",
  `<form id="reset">
<label>New password <input name="new_password1" type="password" autocomplete="new-password" required></label>
<label>New password again <input name="new_password2" type="password" autocomplete="new-password" required></label>
<button type="submit">Save the new password</button>
</form>`,
);

const VERIFY_PAGE = page(
  "Confirm your email address",
  "verify.js",
  `<p>Press the button to confirm that this address is yours.</p>
<button id="confirm" type="button">Confirm my address</button>`,
);

// Only this origin's files and API; the token in the address is never sent elsewhere (no-referrer).
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const servePage = (html: string) => ((c) => {
  c.header("Content-Security-Policy", PAGE_CSP);
  c.header("Cache-Control", "no-store");
  return c.html(html, 200);
}) as RouteHandler<typeof resetPageRoute, AppEnv> & RouteHandler<typeof verifyPageRoute, AppEnv>;

export const resetPageHandler = servePage(RESET_PAGE);
export const verifyPageHandler = servePage(VERIFY_PAGE);

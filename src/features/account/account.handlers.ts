import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import type { resetPageRoute, verifyPageRoute } from "./account.routes";

/** The page holds nothing of the link: its script reads uid and token from the address. */
const RESET_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Choose a new password</title>
<link rel="stylesheet" href="/account-assets/account.css">
<script type="module" src="/account-assets/reset.js"></script>
</head>
<body>
<main>
<h1>Choose a new password</h1>
<form id="reset">
<label>New password <input name="new_password1" type="password" autocomplete="new-password" required></label>
<label>New password again <input name="new_password2" type="password" autocomplete="new-password" required></label>
<button type="submit">Save the new password</button>
</form>
<p id="message" role="status" aria-live="polite"></p>
</main>
</body>
</html>
`;

// Only this origin's files and API; the token in the address is never sent elsewhere (no-referrer).
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export const resetPageHandler: RouteHandler<typeof resetPageRoute, AppEnv> = (c) => {
  c.header("Content-Security-Policy", PAGE_CSP);
  c.header("Cache-Control", "no-store");
  return c.html(RESET_PAGE, 200);
};

const VERIFY_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Confirm your email address</title>
<link rel="stylesheet" href="/account-assets/account.css">
<script type="module" src="/account-assets/verify.js"></script>
</head>
<body>
<main>
<h1>Confirm your email address</h1>
<p>Press the button to confirm that this address is yours.</p>
<button id="confirm" type="button">Confirm my address</button>
<p id="message" role="status" aria-live="polite"></p>
</main>
</body>
</html>
`;

export const verifyPageHandler: RouteHandler<typeof verifyPageRoute, AppEnv> = (c) => {
  c.header("Content-Security-Policy", PAGE_CSP);
  c.header("Cache-Control", "no-store");
  return c.html(VERIFY_PAGE, 200);
};

/** Cloudflare's documented Turnstile test secret keys (developers.cloudflare.com/turnstile/troubleshooting/testing/). */
export const PASSING_SECRET = "1x0000000000000000000000000000000AA";
export const FAILING_SECRET = "2x0000000000000000000000000000000AA";
export const SPENT_SECRET = "3x0000000000000000000000000000000AA";
/** The token Cloudflare's test site keys give (any token passes with the passing secret). */
export const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

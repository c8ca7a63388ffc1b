/**
 * Response headers: the set the OWASP REST Security Cheat Sheet gives API answers (HSTS, no
 * sniffing, no framing, a CSP that forbids everything, no caching of API answers), and for HTML
 * documents (the docs page, the account pages) the headers only documents use.
 */
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../env";

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

const everyAnswer = secureHeaders({
  // Pictures are fetched by web apps on other origins.
  crossOriginResourcePolicy: "cross-origin",
  crossOriginEmbedderPolicy: false,
  xFrameOptions: "DENY",
  // These act on documents only (their browsing context, the requests they make, old browsers'
  // download and XSS-filter behaviour): a browser ignores them on JSON and pictures, and each
  // header costs every answer (measured in bench/RESULTS.md). HTML answers get them below.
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
});

/**
 * What hono/secure-headers would add by default, for HTML documents. No Permissions-Policy: one
 * that named `publickey-credentials-create` or `-get` would forbid passkeys on the origin's pages
 * (API.md "Passkeys"; test/passkeys.test.ts checks none is sent).
 */
const DOCUMENT_HEADERS: [string, string][] = [
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  // The account pages carry a token in their address: it must never leave in a Referer.
  ["Referrer-Policy", "no-referrer"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

/** The API's headers on every answer, a forbid-all CSP unless the route set its own, and the document headers on HTML. */
export const apiSecureHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await everyAnswer(c, next);
  // Written into the answer's headers as hono/secure-headers does: c.header() after the answer
  // exists would copy the whole Response for each header.
  const headers = c.res.headers;
  if (!headers.has("Content-Security-Policy")) headers.set("Content-Security-Policy", API_CSP);
  if (headers.get("Content-Type")?.startsWith("text/html")) for (const [name, value] of DOCUMENT_HEADERS) headers.set(name, value);
});

/** API answers (tokens, profiles) are per caller and must never be stored by a browser or proxy. */
export const noStore = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
});

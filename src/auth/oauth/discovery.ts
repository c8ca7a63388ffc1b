/**
 * OpenID Connect discovery (OpenID Connect Discovery 1.0): an issuer's endpoints, fetched once per
 * isolate and kept (a failure is not kept: the next request tries again). The document must name
 * the configured issuer exactly, and its endpoints must be https (http only on the loopback).
 */
import { z } from "zod";
import { ProviderUnavailable } from "./errors";
import { secureOrLoopback, urlOf } from "./settings";

export interface ProviderMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  userinfoEndpoint?: string;
}

const endpoint = z.string().refine((value) => {
  const url = urlOf(value);
  return url !== undefined && secureOrLoopback(url);
});

const document = z.object({
  issuer: z.string(),
  authorization_endpoint: endpoint,
  token_endpoint: endpoint,
  jwks_uri: endpoint,
  userinfo_endpoint: endpoint.optional(),
});

const known = new Map<string, Promise<ProviderMetadata>>();

export function discover(issuer: string): Promise<ProviderMetadata> {
  let metadata = known.get(issuer);
  if (!metadata) {
    metadata = fetchMetadata(issuer);
    known.set(issuer, metadata);
    metadata.catch(() => known.delete(issuer));
  }
  return metadata;
}

async function fetchMetadata(issuer: string): Promise<ProviderMetadata> {
  let body: unknown;
  try {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`status ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new ProviderUnavailable(`discovery of ${issuer} failed: ${(error as Error).message}`);
  }
  const parsed = document.safeParse(body);
  // A document for another issuer is refused (OpenID Connect Discovery 1.0, section 4.3).
  if (!parsed.success || parsed.data.issuer.replace(/\/+$/, "") !== issuer) throw new ProviderUnavailable(`discovery of ${issuer}: not a usable document`);
  const data = parsed.data;
  return {
    issuer: data.issuer,
    authorizationEndpoint: data.authorization_endpoint,
    tokenEndpoint: data.token_endpoint,
    jwksUri: data.jwks_uri,
    ...(data.userinfo_endpoint ? { userinfoEndpoint: data.userinfo_endpoint } : {}),
  };
}

/**
 * The global setup of the d1 and postgres projects: real identity servers on 127.0.0.1 for the
 * social-login tests. An OpenID Connect provider (npm's oidc-provider, the certified
 * implementation, with its development sign-in and consent pages), and a stand-in for GitHub's
 * OAuth endpoints and user API (GitHub is no OpenID Connect provider, and cannot be run here).
 * Ports come from vitest.config.ts (TEST_OIDC_PORT, TEST_GITHUB_PORT), which gives them to the
 * Worker as its variables. Both projects list this setup; the servers start once per run.
 */
import { createHash, randomBytes } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import Provider from "oidc-provider";
import { API_ORIGIN, GITHUB_CLIENT, type GitHubUser, NATIVE_REDIRECT, OIDC_CLIENT, OTHER_CLIENT, OTHER_GITHUB_CLIENT, accountClaims } from "./fixtures";

const shared = globalThis as { identityServers?: { servers: Promise<Server[]>; users: number } };

function listen(server: Server, port: number): Promise<void> {
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => done());
  });
}

export async function setup() {
  shared.identityServers ??= {
    servers: Promise.all([startOidcProvider(Number(process.env.TEST_OIDC_PORT)), startGitHub(Number(process.env.TEST_GITHUB_PORT))]),
    users: 0,
  };
  shared.identityServers.users += 1;
  await shared.identityServers.servers;
}

export async function teardown() {
  const running = shared.identityServers;
  if (!running || --running.users > 0) return;
  shared.identityServers = undefined;
  const servers = await running.servers;
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
}

async function startOidcProvider(port: number): Promise<Server> {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT.id,
        client_secret: OIDC_CLIENT.secret,
        redirect_uris: [`${API_ORIGIN}/api/auth/social/local/callback/`, NATIVE_REDIRECT],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
      { client_id: OTHER_CLIENT.id, client_secret: OTHER_CLIENT.secret, redirect_uris: [OTHER_CLIENT.redirectUri], grant_types: ["authorization_code"], response_types: ["code"] },
    ],
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => accountClaims(id) as { sub: string } };
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["preferred_username", "name"] },
    // Scope claims in the ID token itself, as Google's and Apple's are.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    cookies: { keys: [randomBytes(16).toString("hex")] },
  });
  // The provider's development warnings, once per run, are noise here.
  provider.on("server_error", (_ctx, error) => console.error("oidc-provider:", error));
  const server = createServer(provider.callback());
  await listen(server, port);
  return server;
}

/**
 * GitHub's OAuth app endpoints and the parts of its REST API the Worker reads (GitHub Enterprise
 * Server's layout: /login/oauth/..., /api/v3/...), kept in memory. `GET /login/oauth/authorize`
 * approves at once as the user the test names in `as` (base64url JSON of a `GitHubUser`);
 * `POST /test/tokens` mints a token of a given app for a user, as GitHub's own apps would get one.
 */
async function startGitHub(port: number): Promise<Server> {
  const codes = new Map<string, { user: GitHubUser; clientId: string; challenge?: string; redirectUri?: string }>();
  const tokens = new Map<string, { user: GitHubUser; clientId: string }>();
  const clients = new Map([GITHUB_CLIENT, OTHER_GITHUB_CLIENT].map((client) => [client.id, client.secret]));
  const newToken = (user: GitHubUser, clientId: string) => {
    const token = `gho_${randomBytes(18).toString("hex")}`;
    tokens.set(token, { user, clientId });
    return token;
  };
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", `http://127.0.0.1:${port}`);
    const body = await readBody(request);
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { "Content-Type": "application/json" });
      response.end(JSON.stringify(value));
    };
    const basic = basicCredentials(request.headers.authorization);
    const bearer = request.headers.authorization?.startsWith("Bearer ") ? tokens.get(request.headers.authorization.slice(7)) : undefined;
    if (request.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const user = JSON.parse(Buffer.from(url.searchParams.get("as") ?? "", "base64url").toString()) as GitHubUser;
      const code = randomBytes(10).toString("hex");
      codes.set(code, {
        user,
        clientId: url.searchParams.get("client_id") ?? "",
        challenge: url.searchParams.get("code_challenge") ?? undefined,
        redirectUri: url.searchParams.get("redirect_uri") ?? undefined,
      });
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      response.writeHead(302, { Location: back.href });
      response.end();
      return;
    }
    if (request.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const form = new URLSearchParams(body);
      const client = basic ?? { id: form.get("client_id") ?? "", secret: form.get("client_secret") ?? "" };
      const grant = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      const verifier = form.get("code_verifier");
      const pkceOk = grant?.challenge === undefined || (verifier !== null && createHash("sha256").update(verifier).digest("base64url") === grant.challenge);
      // As GitHub does: 200 with an `error` member for a refused code.
      if (clients.get(client.id) !== client.secret || !grant || grant.clientId !== client.id || !pkceOk || (grant.redirectUri && grant.redirectUri !== form.get("redirect_uri"))) {
        json(200, { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
        return;
      }
      json(200, { access_token: newToken(grant.user, client.id), token_type: "bearer", scope: "read:user,user:email" });
      return;
    }
    if (request.method === "POST" && url.pathname === "/test/tokens") {
      const { clientId, user } = JSON.parse(body) as { clientId: string; user: GitHubUser };
      json(201, { access_token: newToken(user, clientId) });
      return;
    }
    const check = /^\/api\/v3\/applications\/([^/]+)\/token$/.exec(url.pathname);
    if (request.method === "POST" && check) {
      const clientId = decodeURIComponent(check[1]!);
      if (!basic || basic.id !== clientId || clients.get(basic.id) !== basic.secret) return json(401, { message: "Bad credentials" });
      const found = tokens.get((JSON.parse(body || "{}") as { access_token?: string }).access_token ?? "");
      if (!found || found.clientId !== clientId) return json(404, { message: "Not Found" });
      return json(200, { user: publicUser(found.user) });
    }
    if (request.method === "GET" && url.pathname === "/api/v3/user") return bearer ? json(200, publicUser(bearer.user)) : json(401, { message: "Bad credentials" });
    if (request.method === "GET" && url.pathname === "/api/v3/user/emails") return bearer ? json(200, bearer.user.emails) : json(401, { message: "Bad credentials" });
    json(404, { message: "Not Found" });
  });
  await listen(server, port);
  return server;
}

const publicUser = (user: GitHubUser) => ({ id: user.id, login: user.login, email: null });

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header?.startsWith("Basic ")) return undefined;
  const [id = "", secret = ""] = Buffer.from(header.slice(6), "base64").toString().split(":");
  return { id, secret };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => done(Buffer.concat(chunks).toString()));
  });
}

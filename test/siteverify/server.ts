/**
 * A local Turnstile siteverify that answers as Cloudflare's documented test secret keys do
 * (developers.cloudflare.com/turnstile/troubleshooting/testing/): `1x...AA` always passes,
 * `2x...AA` always fails, `3x...AA` says the token was already spent; any other secret is
 * invalid. It takes the form (or JSON) body siteverify takes and records each request, so a test
 * can see what the Worker sent (GET /requests answers them, newest last).
 */
import { type Server, createServer } from "node:http";
import { FAILING_SECRET, PASSING_SECRET, SPENT_SECRET } from "./keys";

interface Received {
  secret: string | null;
  response: string | null;
  remoteip: string | null;
}

/** Cloudflare's answer to `received`. */
function verdict({ secret, response }: Received) {
  if (!secret) return { success: false, "error-codes": ["missing-input-secret"] };
  if (!response) return { success: false, "error-codes": ["missing-input-response"] };
  if (secret === PASSING_SECRET) return { success: true, "error-codes": [], challenge_ts: new Date().toISOString(), hostname: "example.com", action: "", cdata: "" };
  if (secret === FAILING_SECRET) return { success: false, "error-codes": ["invalid-input-response"] };
  if (secret === SPENT_SECRET) return { success: false, "error-codes": ["timeout-or-duplicate"] };
  return { success: false, "error-codes": ["invalid-input-secret"] };
}

async function parse(body: string, type: string | undefined): Promise<Received> {
  if (type?.startsWith("application/json")) {
    const json = JSON.parse(body) as Record<string, string>;
    return { secret: json.secret ?? null, response: json.response ?? null, remoteip: json.remoteip ?? null };
  }
  // multipart/form-data or application/x-www-form-urlencoded: the Fetch API parses both.
  const form = await new Response(body, { headers: { "Content-Type": type ?? "" } }).formData();
  const field = (name: string) => (form.get(name) as string | null) ?? null;
  return { secret: field("secret"), response: field("response"), remoteip: field("remoteip") };
}

export function startSiteverify(port: number): Promise<Server> {
  const received: Received[] = [];
  const server = createServer((request, reply) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      reply.setHeader("Content-Type", "application/json");
      if (request.method === "GET" && request.url === "/requests") return reply.end(JSON.stringify(received));
      if (request.method !== "POST" || request.url !== "/siteverify") {
        reply.statusCode = 404;
        return reply.end("{}");
      }
      const asked = await parse(Buffer.concat(chunks).toString("utf8"), request.headers["content-type"]);
      received.push(asked);
      reply.end(JSON.stringify(verdict(asked)));
    });
  });
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => done(server));
  });
}

/**
 * The benchmark's yardstick: the least a Hono Worker can do for the two kinds of request the API
 * serves. `/users/:id` reads one row of the same users table by primary key (one D1 round trip);
 * `/ping` answers without touching anything
 * (`/ping-logged` also writes one log line). Served the same way as the project in the same run,
 * it is the floor every row of the table is divided by.
 */
import { Hono } from "hono";

const app = new Hono<{ Bindings: { DB: D1Database } }>();

app.get("/ping", (c) => c.json({ detail: "Not found." }, 404));

// The same, writing one log line like the project's request log: what a line costs locally.
app.get("/ping-logged", (c) => {
  console.log(JSON.stringify({ level: "info", method: "GET", route: null, status: 404, duration_ms: 0, request_id: crypto.randomUUID(), user_id: null }));
  return c.json({ detail: "Not found." }, 404);
});

app.get("/users/:id", async (c) => {
  const row = await c.env.DB.prepare("select id, username, email, bio from users where id = ?").bind(Number(c.req.param("id"))).first();
  return row ? c.json(row) : c.json({ detail: "Not found." }, 404);
});

export default app;

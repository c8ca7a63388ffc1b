/**
 * The benchmark's yardstick: the least a Hono Worker can do for the two kinds of request the API
 * serves. `/users/:id` reads one row of the same users table by primary key (one D1 round trip);
 * `/ping` answers without touching anything. Served the same way as the project in the same run,
 * it is the floor every row of the table is divided by.
 */
import { Hono } from "hono";

const app = new Hono<{ Bindings: { DB: D1Database } }>();

app.get("/ping", (c) => c.json({ detail: "Not found." }, 404));

app.get("/users/:id", async (c) => {
  const row = await c.env.DB.prepare("select id, username, email, bio from users where id = ?").bind(Number(c.req.param("id"))).first();
  return row ? c.json(row) : c.json({ detail: "Not found." }, 404);
});

export default app;

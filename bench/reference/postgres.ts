/**
 * The benchmark's yardstick on PostgreSQL: the least a Worker does to read one users row by
 * primary key through the HYPERDRIVE binding with `pg`, as the project's PostgreSQL engine does (a
 * client per request, connected on the request and never `end()`ed: the request's end closes it).
 * It coalesces each statement's messages into one write as the engine does (see
 * coalesceWrites): without that, pg's separate writes stall a parameterised statement about
 * 40 ms on the local Hyperdrive proxy, and the floor would measure that stall instead.
 */
import { Hono } from "hono";
import pg from "pg";
import { coalesceWrites } from "../../src/store/postgres/client";

const app = new Hono<{ Bindings: { HYPERDRIVE: Hyperdrive } }>();

app.get("/users/:id", async (c) => {
  const client = new pg.Client({ connectionString: c.env.HYPERDRIVE.connectionString });
  coalesceWrites((client as unknown as { connection: { stream: Parameters<typeof coalesceWrites>[0] } }).connection.stream);
  client.on("error", () => {});
  await client.connect();
  const { rows } = await client.query("select id, username, email, bio from users where id = $1", [Number(c.req.param("id"))]);
  return rows[0] ? c.json(rows[0]) : c.json({ detail: "Not found." }, 404);
});

export default app;

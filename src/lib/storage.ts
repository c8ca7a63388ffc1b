/**
 * Gives each request its store (`c.get("store")`), from the engine the bindings name: PostgreSQL
 * through Hyperdrive when there is a `HYPERDRIVE` binding, D1 otherwise.
 *
 * D1 is opened through its Sessions API. With read replication enabled, reads are served by the
 * replica nearest the client; a client that sends back the `x-d1-bookmark` of an earlier
 * response reads at least what that response's writes produced (read-your-writes across
 * locations). Requests that write (and the refresh-token single-use check, a POST) go to the
 * primary. Without replication every session simply reads the primary.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { setMetric } from "hono/timing";
import type { AppEnv, Env } from "../env";
import type { Store } from "../store";
import { createD1Store } from "../store/d1";
import { type RoundTrips, countingD1 } from "../store/d1/round-trips";
import { createPostgresStore } from "../store/postgres";

export const BOOKMARK_HEADER = "x-d1-bookmark";
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

function constraintFor(method: string, bookmark: string | undefined): D1SessionConstraint | D1SessionBookmark {
  if (!READS.has(method)) return "first-primary";
  return bookmark && BOOKMARK.test(bookmark) ? bookmark : "first-unconstrained";
}

/** The store outside a request (the cron): PostgreSQL with a HYPERDRIVE binding, else D1's primary. */
export function storeOf(env: Env): Store {
  return env.HYPERDRIVE ? createPostgresStore(env.HYPERDRIVE.connectionString) : createD1Store(env.DB);
}

/** Whether hono/timing runs on this request (API routes with SERVER_TIMING=1): only there is a header to add metrics to. */
const timed = (c: Context<AppEnv>) => c.get("config").serverTiming && c.get("metric" as never) !== undefined;

export const storage = createMiddleware<AppEnv>(async (c, next) => {
  const counting = c.get("config").serverTiming;
  const hyperdrive = c.env.HYPERDRIVE;
  if (hyperdrive) {
    // Statements sent to PostgreSQL and the time spent waiting on them: `pg;dur=<ms>;desc="<statements>"`.
    const tally = counting ? { count: 0, ms: 0 } : undefined;
    c.set("store", createPostgresStore(hyperdrive.connectionString, tally));
    await next();
    if (tally && timed(c)) setMetric(c, "pg", tally.ms, String(tally.count));
    return;
  }
  const session = c.env.DB.withSession(constraintFor(c.req.method, c.req.header(BOOKMARK_HEADER)));
  let d1: D1DatabaseSession = session;
  const tally: RoundTrips | undefined = counting ? { count: 0, ms: 0, rowsRead: 0 } : undefined;
  if (tally) d1 = countingD1(session, tally);
  c.set("store", createD1Store(d1));
  await next();
  // Server-Timing (hono/timing): `d1;dur=<ms waiting on D1>;desc="<round trips>"` and
  // `d1-rows-read;dur=<rows D1 reports reading>` (what D1 bills, and what grows with the tables).
  if (tally && timed(c)) {
    setMetric(c, "d1", tally.ms, String(tally.count));
    setMetric(c, "d1-rows-read", tally.rowsRead);
  }
  const bookmark = session.getBookmark();
  if (bookmark) c.res.headers.set(BOOKMARK_HEADER, bookmark);
});

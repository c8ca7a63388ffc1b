/**
 * Opens D1 through its Sessions API for each request. With read replication enabled, reads are
 * served by the replica nearest the client; a client that sends back the `x-d1-bookmark` of an
 * earlier response reads at least what that response's writes produced (read-your-writes across
 * locations). Requests that write (and the refresh-token single-use check, a POST) go to the
 * primary. Without replication every session simply reads the primary.
 */
import { createMiddleware } from "hono/factory";
import { setMetric } from "hono/timing";
import type { AppEnv } from "../env";
import { createDatabase } from "./client";
import { type RoundTrips, countingD1 } from "./round-trips";

export const BOOKMARK_HEADER = "x-d1-bookmark";
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

function constraintFor(method: string, bookmark: string | undefined): D1SessionConstraint | D1SessionBookmark {
  if (!READS.has(method)) return "first-primary";
  return bookmark && BOOKMARK.test(bookmark) ? bookmark : "first-unconstrained";
}

/** Gives the request `c.get("db")`: D1 through a Sessions API session (not a login session: see README). */
export const replicatedDatabase = createMiddleware<AppEnv>(async (c, next) => {
  const session = c.env.DB.withSession(constraintFor(c.req.method, c.req.header(BOOKMARK_HEADER)));
  let d1: D1DatabaseSession = session;
  if (c.get("config").serverTiming) {
    const tally: RoundTrips = { count: 0, ms: 0, rowsRead: 0 };
    c.set("roundTrips", tally);
    d1 = countingD1(session, tally);
  }
  c.set("db", createDatabase(d1));
  await next();
  // Server-Timing (hono/timing): `d1;dur=<ms waiting on D1>;desc="<round trips>"` and
  // `d1-rows-read;dur=<rows D1 reports reading>` (what D1 bills, and what grows with the tables).
  // Only where hono/timing runs (API routes): elsewhere there is no header to add it to.
  const tally = c.get("roundTrips");
  if (tally && c.get("metric" as never)) {
    setMetric(c, "d1", tally.ms, String(tally.count));
    setMetric(c, "d1-rows-read", tally.rowsRead);
  }
  const bookmark = session.getBookmark();
  if (bookmark) c.res.headers.set(BOOKMARK_HEADER, bookmark);
});

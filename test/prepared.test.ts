import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../src/store/d1/client";
import { PreparedStatement } from "../src/store/d1/prepared";
import { users } from "../src/store/d1/schema";
import { insertUserRow, uniqueName } from "./helpers";

const userById = new PreparedStatement((db) => db.select().from(users).where(eq(users.id, sql.placeholder("id"))));
const usernameOf = new PreparedStatement((db) => db.select({ username: users.username, isActive: users.isActive }).from(users).where(eq(users.id, sql.placeholder("id"))));

describe("PreparedStatement (SQL built once, bound per request)", () => {
  it("binds each use to its own values and maps rows as Drizzle does, in one batch with ordinary queries", async () => {
    const names = [uniqueName(), uniqueName()];
    const [first, second] = await Promise.all(names.map((username) => insertUserRow({ username, password: "x", isActive: username === names[0] })));
    const db = createDatabase(env.DB);
    const [a, b, plain] = await db.batch([usernameOf.bind(db, { id: first }), usernameOf.bind(db, { id: second }), db.select({ id: users.id }).from(users).where(eq(users.id, second!))]);
    expect(a).toEqual([{ username: names[0], isActive: true }]);
    expect(b).toEqual([{ username: names[1], isActive: false }]);
    expect(plain).toEqual([{ id: second }]);
  });

  it("runs against the database it was bound to, and alone when awaited outside a batch", async () => {
    const username = uniqueName();
    const id = await insertUserRow({ username, password: "x" });
    const session = createDatabase(env.DB.withSession("first-primary"));
    const [row] = await userById.bind(session, { id });
    expect(row).toMatchObject({ id, username, isActive: true, isStaff: false, followersCount: 0 });
    expect(row!.dateJoined).toBeInstanceOf(Date);
    expect(await userById.bind(session, { id: 2 ** 31 })).toEqual([]);
  });
});

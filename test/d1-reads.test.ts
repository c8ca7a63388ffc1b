/** D1 itself: the rows D1 reads (what it bills) for statements and requests whose cost must not grow with the tables. D1 only. */
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { usersPage } from "../src/store/d1/users";
import { call, insertUserRow, setFlags, signedInUser, uniqueName } from "./helpers";

describe("rows D1 reads", () => {
  it("reads no row of the users table for a non-staff caller (the staff check comes first)", async () => {
    const caller = await signedInUser();
    await env.DB.prepare(
      "with recursive n(i) as (select 1 union all select i + 1 from n where i < 300) insert into users (username, password, date_joined) select 'scan' || i || ?, '!', 0 from n",
    )
      .bind(caller.username)
      .run();
    const db = drizzle(env.DB);
    const rowsRead = async (callerId: number) => {
      let total = 0;
      for (const statement of usersPage(db, callerId, "e", 0, 20)) {
        const query = statement.toSQL();
        const result = await env.DB.prepare(query.sql).bind(...query.params).all();
        total += result.meta.rows_read;
      }
      return total;
    };
    const users = (await env.DB.prepare("select count(*) as n from users").first<{ n: number }>())!.n;
    // A handful of index reads for the caller's own row, against every row for a staff caller.
    expect(await rowsRead(caller.id)).toBeLessThanOrEqual(12);
    await setFlags(caller.id, { isStaff: true });
    expect(await rowsRead(caller.id)).toBeGreaterThanOrEqual(users);
  });

  it("reports them per response (Server-Timing's d1-rows-read): a page of followers reads about a page, however many there are", async () => {
    const star = await signedInUser();
    const fans = await Promise.all(Array.from({ length: 30 }, () => signedInUser()));
    for (const fan of fans) expect((await call("POST", `/api/auth/follow/${star.id}/`, { token: fan.access })).status).toBe(200);
    const page = await call("GET", `/api/users/${star.id}/followers/?page_size=5`, { token: star.access });
    expect(page.status).toBe(200);
    expect(page.body.results).toHaveLength(5);
    const rowsRead = Number(/d1-rows-read;dur=([\d.]+)/.exec(page.headers.get("Server-Timing") ?? "")![1]);
    expect(rowsRead).toBeGreaterThan(0);
    expect(rowsRead).toBeLessThan(30);
  });

  it("reads, for a page of admin users' sign-in methods, the page's own social accounts only, however many others have", async () => {
    const staff = await signedInUser();
    await setFlags(staff.id, { isStaff: true });
    // A first page of five users, with a link each.
    for (let i = 0; i < 5; i += 1) {
      const id = await insertUserRow({ username: uniqueName("paged"), password: "!" });
      await env.DB.prepare("insert into social_accounts (user_id, provider, uid, created_at) values (?, 'local', ?, 0)").bind(id, uniqueName("uid")).run();
    }
    const rowsRead = async () => {
      const page = await call("GET", "/api/users/?page_size=5", { token: staff.access });
      expect(page.status).toBe(200);
      expect(page.body.results).toHaveLength(5);
      return Number(/d1-rows-read;dur=([\d.]+)/.exec(page.headers.get("Server-Timing") ?? "")![1]);
    };
    const before = await rowsRead();
    // A user past the first page (a newer id) with 300 linked accounts.
    const other = await insertUserRow({ username: uniqueName("links"), password: "!" });
    await env.DB.prepare(
      "with recursive n(i) as (select 1 union all select i + 1 from n where i < 300) insert into social_accounts (user_id, provider, uid, created_at) select ?, 'local', ? || i, 0 from n",
    )
      .bind(other, uniqueName("uid"))
      .run();
    // Each row's providers come through the social_accounts_user index: none of those 300 is read.
    expect(await rowsRead()).toBeLessThan(before + 10);
  });
});

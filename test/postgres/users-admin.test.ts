/** Users as a caller sees them, and an admin's changes, on PostgreSQL. */
import { describe, expect, it } from "vitest";
import { callerOf, makeUser, openTransaction, rows, signIn, uniqueName, waits } from "./store-helpers";

describe("users", () => {
  it("seen: one user with the caller's follow flag; none for an unknown id", async () => {
    const [me, them] = [await makeUser(), await makeUser()];
    const { caller } = await callerOf(me);
    expect(await caller.users.seen(them.id)).toMatchObject({ user: { id: them.id, username: them.username }, isFollowing: false });
    await caller.follows.change("follow", them.id, Date.now());
    expect((await caller.users.seen(them.id)).isFollowing).toBe(true);
    const unknown = await caller.users.seen(them.id + 10_000);
    expect(unknown.user).toBeUndefined();
    expect(unknown.isFollowing).toBe(false);
  });

  it("page: staff see every user by id with the total; a search matches literally, ignoring case", async () => {
    const staff = await makeUser({ staff: true });
    const tag = uniqueName("Tag");
    const marked = [await makeUser({ email: `${tag}_1@example.com` }), await makeUser({ email: `${tag}%2@example.com` })];
    const { caller } = await callerOf(staff);
    const all = await caller.users.page(undefined, 0, 1000);
    expect(all.count).toBe((await rows<{ n: number }>("select count(*)::int as n from users"))[0]!.n);
    expect(all.rows.map((row) => row.id)).toEqual([...all.rows.map((row) => row.id)].sort((a, b) => a - b));
    const found = await caller.users.page(tag.toUpperCase(), 0, 10);
    expect(found).toMatchObject({ count: 2, rows: marked.map((user) => ({ id: user.id })) });
    expect((await caller.users.page(`${tag}%`, 0, 10)).rows.map((row) => row.id)).toEqual([marked[1]!.id]);
    expect((await caller.users.page(`${tag}_`, 0, 10)).rows.map((row) => row.id)).toEqual([marked[0]!.id]);
    expect(await caller.users.page(tag, 1, 10)).toMatchObject({ count: 2, rows: [{ id: marked[1]!.id }] });
    // PostgreSQL's text cannot hold NUL: such a search matches nothing, and is never sent.
    expect(await caller.users.page(`${tag}\u0000`, 0, 10)).toMatchObject({ count: 0, rows: [] });
  });

  it("page: nothing and 0 for a caller who is not staff", async () => {
    const { caller } = await callerOf(await makeUser());
    expect(await caller.users.page(undefined, 0, 10)).toMatchObject({ count: 0, rows: [] });
  });
});

describe("admin changes", () => {
  it("staff deactivate a plain user, ending every session of it in the same write", async () => {
    const staff = await makeUser({ staff: true });
    const target = await makeUser();
    const session = await signIn(target);
    const { caller } = await callerOf(staff);
    const result = await caller.admin.changeUser(target.id, { isActive: false }, "staff", Date.now());
    expect(result).toMatchObject({ exists: true, user: { id: target.id, isActive: false }, ended: [{ id: session.sessionId }] });
    expect(await rows("select count(*)::int as n from token_families where user_id = $1 and revoked_at is null", [target.id])).toEqual([{ n: 0 }]);
  });

  it("refuses staff changing an admin's status and a plain caller anything, changing nothing; tells an unknown id", async () => {
    const staff = await makeUser({ staff: true });
    const plain = await makeUser();
    const otherStaff = await makeUser({ staff: true });
    await signIn(otherStaff);
    const { caller } = await callerOf(staff);
    expect(await caller.admin.changeUser(otherStaff.id, { isActive: false }, "staff", Date.now())).toMatchObject({ exists: true, ended: [] });
    expect((await caller.admin.changeUser(otherStaff.id, { isActive: false }, "staff", Date.now())).user).toBeUndefined();
    expect((await caller.admin.changeUser(plain.id, { isStaff: true }, "superuser", Date.now())).user).toBeUndefined();
    const { caller: plainCaller } = await callerOf(plain);
    expect((await plainCaller.admin.changeUser(staff.id, { isActive: false }, "staff", Date.now())).user).toBeUndefined();
    expect(await rows("select is_active, is_staff from users where id = any($1) order by id", [[staff.id, plain.id, otherStaff.id]])).toEqual([
      { is_active: true, is_staff: true },
      { is_active: true, is_staff: false },
      { is_active: true, is_staff: true },
    ]);
    expect(await caller.admin.changeUser(plain.id + 10_000, { isActive: true }, "staff", Date.now())).toMatchObject({ exists: false, ended: [] });
  });

  it.each([false, true])("a caller without the role never locks the target's row (deactivating: %s)", async (deactivate) => {
    const plain = await makeUser();
    const target = await makeUser();
    const { caller } = await callerOf(plain);
    const busy = await openTransaction();
    await busy.query("update users set bio = 'busy' where id = $1", [target.id]);
    const change = caller.admin.changeUser(target.id, { isActive: !deactivate }, "staff", Date.now());
    expect(await waits(change)).toBe(false);
    expect(await change).toMatchObject({ exists: true, ended: [] });
    await busy.commit();
  });

  it("a superuser promotes, and reads back the row of an empty change", async () => {
    const root = await makeUser({ staff: true, superuser: true });
    const target = await makeUser();
    const { caller } = await callerOf(root);
    expect((await caller.admin.changeUser(target.id, { isStaff: true }, "superuser", Date.now())).user).toMatchObject({ isStaff: true, isActive: true });
    expect((await caller.admin.changeUser(target.id, {}, "staff", Date.now())).user).toMatchObject({ id: target.id, isStaff: true });
  });

  it.each([false, true])("sees a promotion that lands while a staff change of is_active (to %s) waits, and refuses it", async (isActive) => {
    const staff = await makeUser({ staff: true });
    const target = await makeUser();
    await rows("update users set is_active = $2 where id = $1", [target.id, !isActive]);
    const { caller } = await callerOf(staff);
    const promotion = await openTransaction();
    await promotion.query("update users set is_staff = true where id = $1", [target.id]);
    const change = caller.admin.changeUser(target.id, { isActive }, "staff", Date.now());
    expect(await waits(change)).toBe(true);
    await promotion.commit();
    expect(await change).toMatchObject({ exists: true, ended: [] });
    expect((await change).user).toBeUndefined();
    expect(await rows("select is_active from users where id = $1", [target.id])).toEqual([{ is_active: !isActive }]);
  });

  it("a superuser deletes a user whole; anyone else deletes nothing", async () => {
    const root = await makeUser({ staff: true, superuser: true });
    const staff = await makeUser({ staff: true });
    const target = await makeUser();
    const fan = await makeUser();
    const session = await signIn(target);
    const { caller: fanCaller } = await callerOf(fan);
    await fanCaller.follows.change("follow", target.id, Date.now());
    const { caller: staffCaller } = await callerOf(staff);
    expect(await staffCaller.admin.deleteUser(target.id, Date.now())).toMatchObject({ ended: [] });
    expect((await staffCaller.admin.deleteUser(target.id, Date.now())).deleted).toBeUndefined();
    expect(await rows("select count(*)::int as n from users where id = $1", [target.id])).toEqual([{ n: 1 }]);
    const { caller } = await callerOf(root);
    const result = await caller.admin.deleteUser(target.id, Date.now());
    expect(result).toMatchObject({ deleted: { profilePicture: null }, ended: [{ id: session.sessionId }] });
    expect(await rows("select following_count from users where id = $1", [fan.id])).toEqual([{ following_count: 0 }]);
    expect((await caller.admin.deleteUser(target.id, Date.now())).deleted).toBeUndefined();
  });
});

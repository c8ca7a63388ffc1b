/**
 * `npm run import-django -- <db.sqlite3> [--remote | --postgres]`: imports the users (Django
 * hashes untouched) and follows of a Django social_media_api database, and the course's posts,
 * comments, likes and notifications when it has their tables, into D1 (local, or the
 * deployed one with --remote) or PostgreSQL (--postgres: DATABASE_URL's, or the local one of
 * `npm run dev:postgres`), and says what it imported, what it skipped and why. Safe to re-run.
 */
import { parseArgs } from "node:util";
import { d1Engine } from "./django/d1";
import type { ImportEngine } from "./django/engine";
import { planImport, shown } from "./django/plan";
import type { SocialKind } from "./django/read-social";
import { describeSkips, idRange } from "./django/social-plan";
import { postgresEngine } from "./django/postgres";
import { readDjango } from "./django/read";
import { withPostgres } from "./postgres/client";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { remote: { type: "boolean", default: false }, postgres: { type: "boolean", default: false }, "persist-to": { type: "string" } },
});
const path = positionals[0];
if (!path || (values.remote && values.postgres)) {
  console.error("usage: npm run import-django -- <path to db.sqlite3> [--remote | --postgres]");
  process.exit(2);
}

const data = await readDjango(path);
// Names read from the file are shown quoted and escaped: a hostile file cannot write to the terminal.
console.log(`Read ${path}: ${data.users.length} users from ${shown(data.userTable)}, ${data.follows.length} follows from ${data.followTable ? shown(data.followTable) : "(none)"}${data.followMeaning ? ` (${data.followMeaning})` : ""}.`);
const SOCIAL: SocialKind[] = ["posts", "comments", "likes", "notifications"];
const socialTables = SOCIAL.filter((kind) => data.social.tables[kind] !== undefined);
if (socialTables.length > 0) {
  console.log(`Read ${socialTables.map((kind) => `${data.social[kind].length} ${kind} from ${shown(data.social.tables[kind]!)}`).join(", ")}.`);
}
for (const note of data.notes) console.log(`  note: ${shown(note)}`);

async function importInto(engine: ImportEngine): Promise<void> {
  const existing = await engine.existing({ posts: idRange(data.social.posts), comments: idRange(data.social.comments) });
  const plan = planImport(data, existing);
  await engine.write(plan);
  const after = await engine.counts();

  const names = (users: { username: string }[]) => users.map((user) => user.username).join(", ") || "none";
  console.log(`Imported ${plan.imported.length} users: ${names(plan.imported)}.`);
  if (plan.alreadyThere.length > 0) console.log(`Already imported (left as they are): ${names(plan.alreadyThere)}.`);
  for (const { user, reason } of plan.skipped) console.log(`Skipped user ${shown(user.username)} (id ${user.id}): ${reason}.`);
  const newFollows = after.follows - existing.counts.follows;
  console.log(`Imported ${newFollows} follows (${plan.follows - newFollows} were already there); follow counters recomputed.`);
  for (const { follower, followee, reason } of plan.skippedFollows) console.log(`Skipped follow ${follower} -> ${followee}: ${reason}.`);
  if (plan.hasSocial) {
    const { rows, alreadyThere, skipped } = plan.social;
    const imported = SOCIAL.map((kind) => {
      const inserted = after[kind] - existing.counts[kind];
      const found = rows[kind].length + (kind === "posts" || kind === "comments" ? alreadyThere[kind] : 0);
      return `${inserted} ${kind} (${found - inserted} were already there)`;
    });
    console.log(`Imported ${imported.join(", ")}; post counters recomputed; imported posts put in their authors' followers' feeds.`);
    for (const kind of SOCIAL) {
      const count = [...skipped[kind].values()].reduce((sum, n) => sum + n, 0);
      if (count > 0) console.log(`Skipped ${count} ${kind}: ${describeSkips(skipped[kind])}.`);
    }
  }
  for (const warning of plan.warnings) console.log(`Warning: ${warning}.`);
  const inactive = plan.imported.filter((user) => !user.isActive);
  if (inactive.length > 0) console.log(`Inactive (imported, cannot log in): ${names(inactive)}.`);
}

try {
  if (values.postgres) await withPostgres((client, where) => importInto(postgresEngine(client, where)));
  else await importInto(d1Engine({ remote: values.remote ?? false, persistTo: values["persist-to"] }));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

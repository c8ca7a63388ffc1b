/**
 * `npm run import-django -- <db.sqlite3> [--remote]`: imports the users (Django hashes untouched)
 * and follows of a Django social_media_api database into D1, and says what it imported, what it
 * skipped and why. Safe to re-run.
 */
import { parseArgs } from "node:util";
import { type D1Target, executeSql, prepareTarget, queryResults } from "./d1";
import { type ExistingUser, planImport, shown } from "./django/plan";
import { readDjango } from "./django/read";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { remote: { type: "boolean", default: false }, "persist-to": { type: "string" } },
});
const path = positionals[0];
if (!path) {
  console.error("usage: npm run import-django -- <path to db.sqlite3> [--remote]");
  process.exit(2);
}
const target: D1Target = { remote: values.remote ?? false, persistTo: values["persist-to"] };

const data = await readDjango(path);
// Names read from the file are shown quoted and escaped: a hostile file cannot write to the terminal.
console.log(`Read ${path}: ${data.users.length} users from ${shown(data.userTable)}, ${data.follows.length} follows from ${data.followTable ? shown(data.followTable) : "(none)"}${data.followMeaning ? ` (${data.followMeaning})` : ""}.`);
for (const note of data.notes) console.log(`  note: ${shown(note)}`);

prepareTarget(target);
const FOLLOW_COUNT = "SELECT count(*) AS n FROM follows";
const [existingRows, [before]] = queryResults(`SELECT id, username, email FROM users; ${FOLLOW_COUNT}`, target);
const existing = existingRows as ExistingUser[];
const followsBefore = (before as { n: number }).n;
const plan = planImport(data, existing);
if (plan.sql) {
  const result = executeSql(plan.sql, target);
  if (!result.ok) {
    console.error(`The import failed; nothing was committed by the failing statement:\n${result.output}`);
    process.exit(1);
  }
}

const names = (users: { username: string }[]) => users.map((user) => user.username).join(", ") || "none";
console.log(`Imported ${plan.imported.length} users: ${names(plan.imported)}.`);
if (plan.alreadyThere.length > 0) console.log(`Already imported (left as they are): ${names(plan.alreadyThere)}.`);
for (const { user, reason } of plan.skipped) console.log(`Skipped user ${shown(user.username)} (id ${user.id}): ${reason}.`);
const newFollows = (queryResults(FOLLOW_COUNT, target)[0]![0] as { n: number }).n - followsBefore;
console.log(`Imported ${newFollows} follows (${plan.follows - newFollows} were already there); follow counters recomputed.`);
for (const { follower, followee, reason } of plan.skippedFollows) console.log(`Skipped follow ${follower} -> ${followee}: ${reason}.`);
for (const warning of plan.warnings) console.log(`Warning: ${warning}.`);
const inactive = plan.imported.filter((user) => !user.isActive);
if (inactive.length > 0) console.log(`Inactive (imported, cannot log in): ${names(inactive)}.`);

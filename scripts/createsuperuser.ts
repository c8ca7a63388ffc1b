/**
 * `npm run createsuperuser -- --username U --email E [--remote | --postgres]`: creates an active
 * staff superuser, with the password from SUPERUSER_PASSWORD or asked for (twice, not echoed).
 * The password is checked by the same validators and hashed by the same code as the Worker's.
 * D1 by default (local, or the deployed one with --remote); --postgres: DATABASE_URL's
 * PostgreSQL, or the local one of `npm run dev:postgres`.
 */
import { parseArgs } from "node:util";
import "./argon2-node";
import { hashPassword } from "../src/auth/passwords/hashers";
import { passwordField } from "../src/auth/passwords/password-field";
import { passwordProblems } from "../src/auth/passwords/validators";
import { emailField, usernameField } from "../src/http/fields";
import { executeSql, literal, prepareTarget } from "./d1";
import { withPostgres } from "./postgres/client";
import { columnsOf, insertRows } from "./postgres/rows";
import { askHidden } from "./prompt";

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    username: { type: "string" },
    email: { type: "string" },
    remote: { type: "boolean", default: false },
    postgres: { type: "boolean", default: false },
    "persist-to": { type: "string" },
  },
});

if (values.remote && values.postgres) fail("--remote is D1's deployed database; with --postgres, DATABASE_URL names the database.");
const username = usernameField().safeParse(values.username);
if (!username.success) fail(`--username: ${username.error.issues.map((issue) => issue.message).join(" ")}`);
const email = emailField().safeParse(values.email);
if (!email.success) fail(`--email: ${email.error.issues.map((issue) => issue.message).join(" ")}`);

let typed = process.env.SUPERUSER_PASSWORD;
// Read once, then gone from this process's environment (and so from any child's).
delete process.env.SUPERUSER_PASSWORD;
if (!typed) {
  typed = await askHidden("Password: ");
  if ((await askHidden("Password (again): ")) !== typed) fail("Error: Your passwords didn't match.");
}
// The same field as login's: trimmed as DRF trims it, so the admin logs in with what they typed.
const parsed = passwordField().safeParse(typed);
if (!parsed.success) fail(`Password: ${parsed.error.issues.map((issue) => issue.message).join(" ")}`);
const password = parsed.data;
const problems = await passwordProblems(password, { username: username.data, email: email.data });
if (problems.length > 0) fail(problems.join("\n"));

const row = {
  username: username.data,
  email: email.data,
  password: hashPassword(password),
  is_staff: true,
  is_superuser: true,
  email_verified: true,
  is_active: true,
  date_joined: Date.now(),
};
const TAKEN = {
  users_username_ci: "Error: A user with that username already exists.",
  users_email_ci: "Error: A user with that email already exists.",
};

if (values.postgres) {
  type Outcome = { created: string } | { error: string };
  const outcome: Outcome = await withPostgres(async (client, where): Promise<Outcome> => {
    try {
      await insertRows(client, "users", await columnsOf(client, "users"), [row]);
      return { created: where };
    } catch (error) {
      // A unique violation names its index; any other error's message carries no values (pg keeps those in `detail`).
      const { code, constraint, message } = error as { code?: string; constraint?: string; message: string };
      return { error: (code === "23505" && TAKEN[constraint as keyof typeof TAKEN]) || message };
    }
  }).catch((error: Error): Outcome => ({ error: error.message }));
  if ("error" in outcome) fail(outcome.error);
  console.log(`Superuser created successfully (${outcome.created}).`);
} else {
  const columns = Object.keys(row).join(", ");
  const sql = `INSERT INTO users (${columns}) VALUES (${Object.values(row).map(literal).join(", ")});`;
  const target = { remote: values.remote ?? false, persistTo: values["persist-to"] };
  prepareTarget(target);
  const result = executeSql(sql, target);
  if (!result.ok) {
    for (const [index, message] of Object.entries(TAKEN)) if (result.output.includes(index)) fail(message);
    fail(result.output);
  }
  console.log(`Superuser created successfully (${values.remote ? "remote" : "local"} database).`);
}

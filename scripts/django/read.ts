/**
 * Reads a Django social_media_api database, finding its tables by their columns rather than by
 * assumed names: the user model may live in any app, and the follow relation may be the
 * `followers` or the `following` many-to-many field, or a model of its own. The course's posts,
 * comments, likes and notifications are read by ./read-social.ts.
 */
import { readFileSync } from "node:fs";
import initSqlJs, { type Database } from "sql.js";
import { type DjangoSocial, readSocial } from "./read-social";

export interface DjangoUser {
  id: number;
  password: string;
  lastLogin: number | null;
  isSuperuser: boolean;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  isStaff: boolean;
  isActive: boolean;
  dateJoined: number;
  bio: string | null;
  profilePicture: string | null;
}

export interface DjangoFollow {
  followerId: number;
  followeeId: number;
}

export interface DjangoData {
  userTable: string;
  followTable: string | undefined;
  /** How the follow table's rows were read, for the report. */
  followMeaning: string | undefined;
  users: DjangoUser[];
  follows: DjangoFollow[];
  /** The course's posts, comments, likes and notifications, when the file has their tables. */
  social: DjangoSocial;
  notes: string[];
}

const REQUIRED_USER_COLUMNS = ["id", "password", "username", "is_staff", "is_active", "date_joined"];

export function tables(db: Database): string[] {
  const result = db.exec("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'");
  return (result[0]?.values ?? []).map(([name]) => String(name));
}

/** A SQL identifier from the file, quoted: a hostile database can name its tables anything. */
export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

export function columns(db: Database, table: string): string[] {
  const result = db.exec(`pragma table_info(${ident(table)})`);
  return (result[0]?.values ?? []).map((row) => String(row[1]));
}

export function rows(db: Database, sql: string): Record<string, unknown>[] {
  const statement = db.prepare(sql);
  const out: Record<string, unknown>[] = [];
  while (statement.step()) out.push(statement.getAsObject());
  statement.free();
  return out;
}

/** Django writes UTC datetimes as "YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]". */
export function djangoTime(value: unknown): number | null {
  if (value === null || value === undefined || value === "") return null;
  const match = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:?\d\d)?$/.exec(String(value));
  if (!match) throw new Error(`unreadable datetime: ${String(value)}`);
  const [, date, time, fraction = "0", zone = "Z"] = match;
  return Date.parse(`${date}T${time}.${fraction.padEnd(3, "0").slice(0, 3)}${zone === "Z" ? "Z" : zone}`);
}

function findUserTable(db: Database, names: string[]): string {
  const candidates = names.filter((name) => REQUIRED_USER_COLUMNS.every((column) => columns(db, name).includes(column)));
  if (candidates.length === 0) throw new Error("no user table found (a table with id, password, username, is_staff, is_active, date_joined)");
  // A custom user model wins over an unused auth_user left by an earlier migration.
  return candidates.find((name) => name !== "auth_user") ?? candidates[0]!;
}

interface FollowSource {
  table: string;
  meaning: string;
  sql: string;
}

function findFollowTable(db: Database, names: string[], userTable: string): FollowSource | undefined {
  for (const name of names) {
    if (!name.startsWith(`${userTable}_`)) continue;
    const cols = columns(db, name);
    const from = cols.find((c) => /^from_\w+_id$/.test(c));
    const to = cols.find((c) => /^to_\w+_id$/.test(c));
    if (!from || !to) continue;
    // Django's self-referential M2M: a row (from=A, to=B) puts B in A.<field>.
    if (name.endsWith("_followers")) {
      return { table: name, meaning: `field "followers": a row (${from}=A, ${to}=B) means B follows A`, sql: `select ${ident(to)} as follower, ${ident(from)} as followee from ${ident(name)} order by id` };
    }
    if (name.endsWith("_following")) {
      return { table: name, meaning: `field "following": a row (${from}=A, ${to}=B) means A follows B`, sql: `select ${ident(from)} as follower, ${ident(to)} as followee from ${ident(name)} order by id` };
    }
  }
  // A Follow model of its own: follower_id plus following_id / followed_id / followee_id.
  for (const name of names) {
    const cols = columns(db, name);
    const target = ["following_id", "followed_id", "followee_id"].find((c) => cols.includes(c));
    if (cols.includes("follower_id") && target) {
      return { table: name, meaning: `a follow model: follower_id follows ${target}`, sql: `select follower_id as follower, ${ident(target)} as followee from ${ident(name)} order by id` };
    }
  }
  return undefined;
}

export async function readDjango(path: string): Promise<DjangoData> {
  const SQL = await initSqlJs();
  const db = new SQL.Database(readFileSync(path));
  try {
    const names = tables(db);
    const userTable = findUserTable(db, names);
    const available = new Set(columns(db, userTable));
    const notes: string[] = [];
    for (const optional of ["email", "first_name", "last_name", "last_login", "is_superuser", "bio", "profile_picture"]) {
      if (!available.has(optional)) notes.push(`column ${userTable}.${optional} is missing: imported as its default`);
    }
    const pick = (row: Record<string, unknown>, column: string) => (available.has(column) ? row[column] : undefined);
    const users = rows(db, `select * from ${ident(userTable)} order by id`).map(
      (row): DjangoUser => ({
        id: Number(row.id),
        password: String(row.password),
        lastLogin: djangoTime(pick(row, "last_login")),
        isSuperuser: Boolean(pick(row, "is_superuser")),
        username: String(row.username),
        firstName: String(pick(row, "first_name") ?? ""),
        lastName: String(pick(row, "last_name") ?? ""),
        email: String(pick(row, "email") ?? ""),
        isStaff: Boolean(row.is_staff),
        isActive: Boolean(row.is_active),
        dateJoined: djangoTime(row.date_joined) ?? Date.now(),
        bio: (pick(row, "bio") as string | null | undefined) ?? null,
        // Django stores "" for no file.
        profilePicture: (pick(row, "profile_picture") as string | null | undefined) || null,
      }),
    );
    const source = findFollowTable(db, names, userTable);
    if (!source) notes.push("no follow table found: no follows imported");
    const follows = source
      ? rows(db, source.sql).map((row) => ({ followerId: Number(row.follower), followeeId: Number(row.followee) }))
      : [];
    const social = readSocial(db, notes);
    return { userTable, followTable: source?.table, followMeaning: source?.meaning, users, follows, social, notes };
  } finally {
    db.close();
  }
}

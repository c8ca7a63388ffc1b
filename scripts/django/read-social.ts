/**
 * Reads the course's social tables from a Django database, when it has them: `posts_post`,
 * `posts_comment`, `posts_like` and `notifications_notification` (and `django_content_type`, which
 * names the models a generic foreign key points at). The forks name their columns differently, so
 * each field is read from the first of its usual column names the table has (PRAGMA table_info);
 * values come out as the file holds them, checked later (./social-plan.ts). A table that is absent
 * is skipped silently; one without a column it needs is skipped with a note.
 */
import type { Database } from "sql.js";
import { columns, ident, rows, tables } from "./read";

/** A row of a social table: its fields (by this importer's names), values as read. */
export type SocialRow = Record<string, unknown>;

export interface DjangoSocial {
  /** The tables read, by kind (absent kinds were not in the file). */
  tables: Partial<Record<SocialKind, string>>;
  posts: SocialRow[];
  comments: SocialRow[];
  likes: SocialRow[];
  notifications: SocialRow[];
  /** django_content_type: id -> model name (lower case, e.g. "post"). */
  contentTypes: Map<number, string>;
}

export type SocialKind = "posts" | "comments" | "likes" | "notifications";

interface Field {
  /** Column names, in order of preference. */
  from: string[];
  required?: boolean;
}

const CREATED = ["created_at", "created", "date_created", "date_posted", "timestamp"];
const UPDATED = ["updated_at", "updated", "modified_at", "modified", "date_updated"];
const TEXT = ["content", "body", "text"];

/** Where each kind is read from, and how each field is found. */
const SOURCES: Record<SocialKind, { table: string; fields: Record<string, Field> }> = {
  posts: {
    table: "posts_post",
    fields: {
      id: { from: ["id"], required: true },
      author: { from: ["author_id", "user_id", "owner_id"], required: true },
      title: { from: ["title"] },
      content: { from: TEXT, required: true },
      created: { from: CREATED, required: true },
      updated: { from: UPDATED },
    },
  },
  comments: {
    table: "posts_comment",
    fields: {
      id: { from: ["id"], required: true },
      post: { from: ["post_id"], required: true },
      author: { from: ["author_id", "user_id", "owner_id"], required: true },
      content: { from: TEXT, required: true },
      created: { from: CREATED, required: true },
      updated: { from: UPDATED },
    },
  },
  likes: {
    table: "posts_like",
    fields: {
      id: { from: ["id"] },
      user: { from: ["user_id", "author_id", "owner_id"], required: true },
      post: { from: ["post_id"], required: true },
      created: { from: CREATED },
    },
  },
  notifications: {
    table: "notifications_notification",
    fields: {
      id: { from: ["id"], required: true },
      recipient: { from: ["recipient_id", "user_id", "to_user_id"], required: true },
      actor: { from: ["actor_id", "sender_id", "from_user_id", "actor_object_id"], required: true },
      verb: { from: ["verb", "notification_type", "type", "kind"], required: true },
      post: { from: ["post_id"] },
      comment: { from: ["comment_id"] },
      targetType: { from: ["target_content_type_id"] },
      targetId: { from: ["target_object_id"] },
      actionType: { from: ["action_object_content_type_id"] },
      actionId: { from: ["action_object_object_id"] },
      read: { from: ["read", "is_read"] },
      unread: { from: ["unread"] },
      created: { from: ["timestamp", ...CREATED] },
    },
  },
};

/** The rows of one kind, or none (absent table; or a needed column missing, with a note). */
function readKind(db: Database, names: string[], kind: SocialKind, notes: string[]): { table?: string; rows: SocialRow[] } {
  const { table, fields } = SOURCES[kind];
  if (!names.includes(table)) return { rows: [] };
  const present = new Set(columns(db, table));
  const picked: [string, string][] = [];
  for (const [field, { from, required }] of Object.entries(fields)) {
    const column = from.find((name) => present.has(name));
    if (column) picked.push([field, column]);
    else if (required) {
      notes.push(`table ${table} has no ${from.join(" or ")} column: its rows are not imported`);
      return { rows: [] };
    }
  }
  // Column names come from the file: quoted. Field names are this importer's own.
  const select = picked.map(([field, column]) => `${ident(column)} as ${ident(field)}`).join(", ");
  const order = present.has("id") ? ` order by ${ident("id")}` : "";
  return { table, rows: rows(db, `select ${select} from ${ident(table)}${order}`) };
}

function contentTypes(db: Database, names: string[]): Map<number, string> {
  if (!names.includes("django_content_type") || !columns(db, "django_content_type").includes("model")) return new Map();
  return new Map(rows(db, `select id, model from django_content_type`).map((row) => [Number(row.id), String(row.model).toLowerCase()]));
}

export function readSocial(db: Database, notes: string[]): DjangoSocial {
  const names = tables(db);
  const social: DjangoSocial = { tables: {}, posts: [], comments: [], likes: [], notifications: [], contentTypes: contentTypes(db, names) };
  for (const kind of Object.keys(SOURCES) as SocialKind[]) {
    const { table, rows: read } = readKind(db, names, kind, notes);
    if (table) social.tables[kind] = table;
    social[kind] = read;
  }
  return social;
}

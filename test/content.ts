/** Factories and expectations shared by the posts, comments and likes tests. */
import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { ENGINE, dbRow, dbRun, engineDrizzle } from "./db";
import { call } from "./helpers";

export const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
export const NOT_FOUND = { detail: "Not found." };
export const FORBIDDEN = { detail: "You do not have permission to perform this action." };
export const NO_CREDENTIALS = { detail: "Authentication credentials were not provided." };
export const BAD_TOKEN = {
  detail: "Given token not valid for any token type",
  code: "token_not_valid",
  messages: [{ token_class: "AccessToken", token_type: "access", message: "Token is invalid or expired" }],
};

export interface Author {
  id: number;
  username: string;
  access: string;
}

/** Publishes a post through the API; answers its body. */
export async function publish(author: Author, title = "A title", content = "Some content") {
  const response = await call("POST", "/api/posts/", { token: author.access, body: { title, content } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: number; title: string; content: string; created_at: string; updated_at: string };
}

/** Comments on a post through the API; answers its body. */
export async function comment(author: Author, postId: number, content = "A comment") {
  const response = await call("POST", `/api/posts/${postId}/comments/`, { token: author.access, body: { content } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: number; created_at: string };
}

/** A post's body as the contract gives it, for `toEqual`. */
export function postBody(author: Author, post: { id: number; title: string; content: string }, extra: Partial<Record<string, unknown>> = {}) {
  return {
    id: post.id,
    author: author.username,
    author_id: author.id,
    title: post.title,
    content: post.content,
    created_at: ISO,
    updated_at: ISO,
    likes_count: 0,
    comments_count: 0,
    liked: false,
    ...extra,
  };
}

export function commentBody(author: Author, postId: number, comment: { id: number; content: string }) {
  return { id: comment.id, post: postId, author: author.username, author_id: author.id, content: comment.content, created_at: ISO, updated_at: ISO };
}

/** A block row, written directly (blocks have their own routes and tests). */
export async function block(blocker: number, blocked: number) {
  await dbRun("insert into blocks (blocker_id, blocked_id, created_at) values (?, ?, ?)", blocker, blocked, new Date());
}

/** A post's counters as the posts row holds them, and as the rows say they should be. */
export async function counters(postId: number) {
  const held = await dbRow<{ likes_count: number; comments_count: number }>("select likes_count, comments_count from posts where id = ?", postId);
  const counted = await dbRow<{ likes: number; comments: number }>(
    "select (select count(*) from likes where post_id = ?1) as likes, (select count(*) from comments where post_id = ?1) as comments",
    postId,
  );
  return { held, counted: counted && { likes_count: counted.likes, comments_count: counted.comments } };
}

/** The statements a response reports in Server-Timing, on either engine (`d1;...desc="N"` or `pg;...desc="N"`). */
export function statementsOf(headers: Headers): number {
  const match = /(?:^|,)(?:d1|pg);dur=[\d.]+;desc="(\d+)"/.exec(headers.get("Server-Timing") ?? "");
  expect(match, headers.get("Server-Timing") ?? "no Server-Timing").not.toBeNull();
  return Number(match![1]);
}

/** Every page of a list, following `next` links from `path`. */
export async function allPages(path: string, token?: string): Promise<{ id: number }[]> {
  const seen: { id: number }[] = [];
  let next: string | null = path;
  while (next) {
    const page: Awaited<ReturnType<typeof call>> = await call("GET", next.replace(/^https?:\/\/[^/]+/, ""), { token });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    seen.push(...page.body.results);
    next = page.body.next;
  }
  return seen;
}

interface Plan {
  "Relation Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  Plans?: Plan[];
}

function examined(plan: Plan, table: string): number {
  const own = plan["Relation Name"] === table ? ((plan["Actual Rows"] ?? 0) + (plan["Rows Removed by Filter"] ?? 0)) * (plan["Actual Loops"] ?? 0) : 0;
  return own + (plan.Plans ?? []).reduce((sum, child) => sum + examined(child, table), 0);
}

/**
 * The rows a request examined: on D1 the rows read it reports (Server-Timing); on PostgreSQL,
 * which reports no such count, the rows of `table` that the plan of the store's own statement for
 * that request (`query`) examines (EXPLAIN ANALYZE: rows returned and removed by filters, times loops).
 */
export async function rowsExamined(headers: Headers, table: string, query: () => SQL): Promise<number> {
  if (ENGINE === "d1") return Number(/d1-rows-read;dur=([\d.]+)/.exec(headers.get("Server-Timing") ?? "")![1]);
  const { rows } = (await (await engineDrizzle()).execute(sql`explain (analyze, format json) ${query()}`)) as { rows: { "QUERY PLAN": { Plan: Plan }[] }[] };
  return examined(rows[0]!["QUERY PLAN"][0]!.Plan, table);
}

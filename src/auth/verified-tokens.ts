/**
 * Access tokens this isolate has verified, with their claims. A client presents the same access
 * token on every request of its lifetime, and checking its signature and claims again was a
 * seventh of a protected request's CPU in workerd (a CPU profile of profile GET under load).
 * Only a token that passed every check enters; its expiry is checked again on each use.
 * Nothing else about a token can change while it lives: whether its session still stands is the
 * caller guard's question (D1), asked on every request, never the token's. Bounded, so a flood
 * of valid tokens costs at most `limit` entries of a few hundred bytes; the oldest leaves first.
 */
export class VerifiedTokens<Claims extends { exp: number }> {
  private readonly entries = new Map<string, Claims>();

  constructor(private readonly limit = 1024) {}

  /** The claims of `token` if it was verified here and has not expired at `nowSeconds` (hono/jwt's rule: exp <= now is expired). */
  get(token: string, nowSeconds: number): Claims | undefined {
    const claims = this.entries.get(token);
    if (claims === undefined) return undefined;
    if (claims.exp <= nowSeconds) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  /** Records a token that has just passed verification. */
  remember(token: string, claims: Claims): void {
    if (this.entries.size >= this.limit && !this.entries.has(token)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, claims);
  }

  get size(): number {
    return this.entries.size;
  }
}

// ws_auth.test.mjs — signed tokens on hello, refusal of bad ones (1008), tenant and user
// isolation of carts, orders and sessions, and the per-tenant turn rate limit.
// Threading: one auth-on server per file (plus one for the rate limit); tests run in sequence.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { start_server, cartmate_bin, source_dir } from "./lib/server.mjs";
import { client, connect, mint_token, resume } from "./lib/client.mjs";

const secret = "test-secret-" + process.pid;
const auth = { "auth.enabled": "true", "auth.secret": secret };
let server;
const open_clients = [];

async function session(token, extra = {}) {
  const s = await connect(server.ws_url, { token, ...extra });
  open_clients.push(s.c);
  return s;
}

/// Sends hello with `hello` fields and expects the unauthorized refusal and close 1008.
async function refused(hello, first_frame = null) {
  const c = new client(server.ws_url);
  open_clients.push(c);
  await c.opened();
  c.send(first_frame ?? { type: "hello", ...hello });
  const closed = await c.close_event();
  assert.equal(closed.code, 1008);
  const errors = c.frames.filter((f) => f.type === "error");
  assert.equal(errors.length, 1, JSON.stringify(c.frames));
  assert.equal(errors[0].code, "unauthorized");
  assert.equal(c.frames.filter((f) => f.type === "welcome").length, 0);
  return errors[0];
}

before(async () => {
  server = await start_server(auth);
});

after(async () => {
  for (const c of open_clients) c.close();
  await server?.stop();
});

test("a valid token opens a session as its tenant and user", async () => {
  const { welcome } = await session(mint_token(secret, { tenant: "acme", user: "alice" }));
  assert.equal(welcome.tenant, "acme");
  assert.equal(welcome.user, "alice");
});

test("`cartmate token` mints tokens the server accepts", async () => {
  const { stdout } = await promisify(execFile)(cartmate_bin,
    ["token", "--tenant=globex", "--user=carol", "--ttl=600", `--auth.secret=${secret}`],
    { cwd: source_dir });
  const token = stdout.trim().split("\n").at(-1).trim();
  const { welcome } = await session(token);
  assert.equal(welcome.tenant, "globex");
  assert.equal(welcome.user, "carol");
});

test("missing, malformed, forged and expired tokens are refused with 1008", async () => {
  await refused({});
  await refused({ token: "" });
  await refused({ token: "not-a-token" });
  await refused({ token: "a.b.c" });
  await refused({ token: mint_token("another-secret", { tenant: "acme", user: "alice" }) });
  const expired = await refused({
    token: mint_token(secret, { tenant: "acme", user: "alice", exp: Math.floor(Date.now() / 1000) - 5 }),
  });
  assert.match(expired.message, /expired/i);
  // A payload changed after signing (user swapped) keeps the old signature: forged.
  const genuine = mint_token(secret, { tenant: "acme", user: "alice" });
  const forged_payload = Buffer.from(JSON.stringify({ tenant: "acme", user: "mallory",
    exp: Math.floor(Date.now() / 1000) + 600 })).toString("base64url");
  await refused({ token: `${forged_payload}.${genuine.split(".")[1]}` });
  await refused({ token: mint_token(secret, { tenant: "", user: "alice" }) });
});

test("with auth on, a first frame other than hello is refused with 1008", async () => {
  await refused(null, { type: "message", text: "show me kurtas" });
});

test("users never see each other's carts or orders, across and within tenants", async () => {
  const alice = await session(mint_token(secret, { tenant: "acme", user: "alice2" }));
  const bob = await session(mint_token(secret, { tenant: "acme", user: "bob2" }));
  const alice_elsewhere = await session(mint_token(secret, { tenant: "globex", user: "alice2" }));

  await alice.c.turn("show me kurtas");
  const added = await alice.c.turn("add the first one to my cart");
  const line = added.of("cart").at(-1).cart.lines[0];
  const checkout = await alice.c.turn("checkout");
  assert.equal(checkout.final.confirmation_asked, true);
  const placed = await alice.c.turn("confirm", { type: "confirm" });
  const order_id = /order (\S+) is placed/i.exec(placed.final.text)?.[1];
  assert.ok(order_id, placed.final.text);
  await alice.c.turn("show me kurtas");
  await alice.c.turn("add the second one to my cart");

  for (const other of [bob, alice_elsewhere]) {
    const cart = await other.c.turn("show my cart");
    for (const f of cart.of("cart")) {
      assert.equal(f.cart.item_count, 0, `${other.welcome.tenant}/${other.welcome.user} sees a cart`);
      assert.equal(f.cart.user, other.welcome.user);
    }
    assert.match(cart.final.text, /empty/i);
    assert.ok(!cart.final.text.includes(line.title));
    const orders = await other.c.turn("show my orders");
    assert.ok(!orders.final.text.includes(order_id), orders.final.text);
    assert.match(orders.final.text, /no orders/i);
    // Nor can they check out what is in alice's cart.
    const steal = await other.c.turn("checkout");
    assert.equal(steal.final.confirmation_asked, false, steal.final.text);
  }

  const own = await alice.c.turn("show my orders");
  assert.ok(own.final.text.includes(order_id));
  const own_cart = await alice.c.turn("show my cart");
  assert.match(own_cart.final.text, /1 item/);
});

test("another user's session id is not resumed: a new session with that user's own state",
     async () => {
  const victim = await session(mint_token(secret, { tenant: "acme", user: "victim" }));
  await victim.c.turn("show me kurtas");
  await victim.c.turn("add the first one to my cart");
  victim.c.ws.close(1000);
  await victim.c.close_event();

  // Several attempts spread over the moment the server releases the victim's session: none
  // may resume it, and afterwards the victim still can.
  let thief;
  for (let attempt = 0; attempt < 5; attempt++) {
    thief = await session(mint_token(secret, { tenant: "acme", user: "thief" }),
                          { session_id: victim.welcome.session_id });
    assert.equal(thief.welcome.resumed, false);
    assert.notEqual(thief.welcome.session_id, victim.welcome.session_id);
    assert.equal(thief.welcome.user, "thief");
    await new Promise((r) => setTimeout(r, 60));
  }
  const add = await thief.c.turn("add the first one to my cart");
  assert.equal(add.of("cart").length, 0, "no results on the thief's screen to add from");
  const cart = await thief.c.turn("show my cart");
  assert.match(cart.final.text, /empty/i);

  // The same user with the id does resume it.
  const back = await resume(server.ws_url, victim.welcome.session_id,
                            { token: mint_token(secret, { tenant: "acme", user: "victim" }) });
  open_clients.push(back.c);
  assert.equal(back.welcome.resumed, true);
  const again = await back.c.turn("add the second one to my cart");
  assert.equal(again.of("cart").at(-1)?.cart.item_count, 2, again.final.text);
});

test("the per-tenant rate limit refuses excess turns with retry_after_ms", async () => {
  const limited = await start_server({ ...auth, "rate_limit.turns_per_second": 0.001,
                                       "rate_limit.burst": 3 });
  const clients = [];
  try {
    const open = async (tenant, user) => {
      const s = await connect(limited.ws_url, { token: mint_token(secret, { tenant, user }) });
      clients.push(s.c);
      return s.c;
    };
    const alice = await open("acme", "alice");
    for (let i = 0; i < 3; i++)
      assert.equal((await alice.turn("hello")).final.type, "final", "within the burst");
    let start = alice.frames.length;
    alice.send({ type: "message", text: "show me kurtas" });
    const err = await alice.until(() => alice.since(start, "error")[0], "rate_limited");
    assert.equal(err.code, "rate_limited");
    assert.ok(Number.isInteger(err.retry_after_ms) && err.retry_after_ms > 1000,
              `retry_after_ms ${err.retry_after_ms} at 0.001 turns/s`);
    // Pings are never rate limited.
    start = alice.frames.length;
    alice.send({ type: "ping", id: 1 });
    await alice.until(() => alice.since(start, "pong")[0], "pong");

    // The bucket is the tenant's: bob in acme is refused too, carol in globex is not.
    const bob = await open("acme", "bob");
    start = bob.frames.length;
    bob.send({ type: "confirm" });
    const bob_err = await bob.until(() => bob.since(start, "error")[0], "rate_limited for bob");
    assert.equal(bob_err.code, "rate_limited");
    const carol = await open("globex", "carol");
    assert.equal((await carol.turn("show me kurtas")).of("products").length, 1);
    assert.equal(alice.closed, null, "rate limiting keeps the connection");
  } finally {
    for (const c of clients) c.close();
    await limited.stop();
  }
});

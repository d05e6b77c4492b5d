// ws_conversation.test.mjs — whole conversations over a real WebSocket: search, add, cart,
// checkout with confirmation, resume after a reconnect, ping, bad frames and SIGTERM shutdown.
// Threading: one server per file, tests run one after another on Node's event loop.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start_server } from "./lib/server.mjs";
import { client, connect, resume } from "./lib/client.mjs";

let server;
const open_clients = [];

async function session(hello = {}) {
  const s = await connect(server.ws_url, hello);
  open_clients.push(s.c);
  return s;
}

before(async () => {
  server = await start_server();
});

after(async () => {
  for (const c of open_clients) c.close();
  await server?.stop();
});

test("welcome describes the session and its limits", async () => {
  const { welcome } = await session();
  assert.match(welcome.session_id, /^[0-9a-f]{32}$/);
  assert.equal(welcome.resumed, false);
  assert.equal(welcome.tenant, "demo");
  assert.match(welcome.user, /^anon-[0-9a-f]{12}$/);
  for (const key of ["max_frame_bytes", "max_message_bytes", "max_queued_turns", "idle_timeout_ms"])
    assert.ok(Number.isFinite(welcome.limits[key]), `limits.${key} missing`);
});

test("search, add, cart, checkout, confirm: the frames of a whole purchase", async () => {
  const { c, welcome } = await session();

  const search = await c.turn("show me kurtas for women");
  const products = search.of("products");
  assert.equal(products.length, 1, "one products frame for a search");
  const shown = products[0].products;
  assert.ok(shown.length >= 2, "a search for kurtas finds several");
  for (const p of shown) {
    assert.match(p.product_type, /kurta/i);
    assert.equal(typeof p.title, "string");
    assert.equal(typeof p.price.minor, "number");
    assert.equal(typeof p.price.currency, "string");
  }
  assert.ok(search.of("delegation").some((f) => f.agent === "product_discovery"),
            "the search is delegated to product discovery");
  assert.ok(search.frames.indexOf(search.final) === search.frames.length - 1, "final ends the turn");
  assert.ok(search.frames.every((f) => f.turn_id === search.final.turn_id));

  const add = await c.turn("add the second one to my cart");
  const carts = add.of("cart");
  assert.equal(carts.length, 1);
  const cart = carts[0].cart;
  assert.equal(cart.user, welcome.user);
  assert.equal(cart.item_count, 1);
  assert.equal(cart.lines.length, 1);
  assert.equal(cart.lines[0].product_id, shown[1].id, "\"the second one\" is the second card");
  assert.equal(cart.total.minor, shown[1].price.minor);
  assert.ok(add.final.turn_id > search.final.turn_id, "turn ids grow");
  assert.ok(add.of("delegation").some((f) => f.agent === "cart"));

  const checkout = await c.turn("checkout");
  assert.equal(checkout.final.confirmation_asked, true, checkout.final.text);
  assert.match(checkout.final.text, /order/i);

  const confirm = await c.turn("confirm", { type: "confirm" });
  assert.equal(confirm.final.confirmation_asked, false);
  const order_id = /order (\S+) is placed/i.exec(confirm.final.text);
  assert.ok(order_id, `the final frame names the order: ${confirm.final.text}`);

  const orders = await c.turn("show my orders");
  assert.ok(orders.final.text.includes(order_id[1]), orders.final.text);
});

test("cancel drops a pending checkout and keeps the cart", async () => {
  const { c } = await session();
  await c.turn("show me kurtas");
  await c.turn("add the first one to my cart");
  const checkout = await c.turn("checkout");
  assert.equal(checkout.final.confirmation_asked, true);
  const cancel = await c.turn("cancel", { type: "cancel" });
  assert.equal(cancel.final.confirmation_asked, false);
  assert.match(cancel.final.text, /cancel/i);
  const confirm = await c.turn("confirm", { type: "confirm" });
  assert.doesNotMatch(confirm.final.text, /is placed/i, "nothing was waiting for confirmation");
  const view = await c.turn("show my cart");
  const carts = view.of("cart");
  if (carts.length > 0)
    assert.equal(carts.at(-1).cart.item_count, 1);
  assert.match(view.final.text, /1 item/);
});

test("like and dislike frames are turns that end with a final", async () => {
  const { c } = await session();
  const search = await c.turn("show me kurtas");
  const id = search.of("products")[0].products[0].id;
  const like = await c.turn("like", { type: "like", product_id: id });
  assert.equal(like.final.type, "final");
  const dislike = await c.turn("dislike", { type: "dislike", product_id: id });
  assert.ok(dislike.final.turn_id > like.final.turn_id);
});

test("messages sent while a turn runs are answered in order, never interleaved", async () => {
  const { c } = await session();
  const start = c.frames.length;
  const texts = ["show me kurtas", "add the first one to my cart", "show my cart", "hello"];
  for (const text of texts) c.send({ type: "message", text });
  await c.until(() => c.since(start, "final").length === texts.length, "four finals");
  const frames = c.since(start);
  const finals = frames.filter((f) => f.type === "final");
  const ids = finals.map((f) => f.turn_id);
  assert.deepEqual([...ids].sort((a, b) => a - b), ids, "finals in order");
  assert.equal(new Set(ids).size, ids.length);
  // Every event belongs to the turn whose final comes next: no interleaving.
  let turn = 0;
  for (const f of frames) {
    if (f.turn_id === undefined) continue;
    assert.equal(f.turn_id, ids[turn], `frame ${JSON.stringify(f).slice(0, 80)} interleaved`);
    if (f.type === "final") turn++;
  }
  assert.match(finals[2].text, /1 item/, "the third message saw the second one's cart");
});

test("a reconnect with the session id resumes the conversation context", async () => {
  const first = await session();
  const search = await first.c.turn("show me kurtas");
  const shown = search.of("products")[0].products;
  first.c.ws.close(1000);
  await first.c.close_event();

  const again = await resume(server.ws_url, first.welcome.session_id);
  open_clients.push(again.c);
  assert.equal(again.welcome.resumed, true);
  assert.equal(again.welcome.session_id, first.welcome.session_id);
  assert.equal(again.welcome.user, first.welcome.user, "the anonymous user is adopted");
  const add = await again.c.turn("add the third one to my cart");
  const cart = add.of("cart").at(-1)?.cart;
  assert.ok(cart, `no cart frame: ${add.final.text}`);
  assert.equal(cart.lines[0].product_id, shown[2].id, "\"the third one\" refers to the old list");

  // A new session without the id knows nothing about that list.
  const fresh = await session();
  assert.equal(fresh.welcome.resumed, false);
  assert.notEqual(fresh.welcome.session_id, first.welcome.session_id);
  const nothing = await fresh.c.turn("add the third one to my cart");
  assert.equal(nothing.of("cart").length, 0, nothing.final.text);
});

test("an unknown session id starts a new session; a still-connected one is handed over", async () => {
  const unknown = await session({ session_id: "0123456789abcdef0123456789abcdef" });
  assert.equal(unknown.welcome.resumed, false);
  assert.notEqual(unknown.welcome.session_id, "0123456789abcdef0123456789abcdef");

  const live = await session();
  const twin = await session({ session_id: live.welcome.session_id });
  assert.equal(twin.welcome.resumed, true, "the newer connection takes the session over");
  assert.equal(twin.welcome.session_id, live.welcome.session_id);
  assert.equal(twin.welcome.user, live.welcome.user);
  const notice = await live.c.until(() => live.c.frames.find((f) => f.type === "error"), "superseded error");
  assert.equal(notice.code, "superseded");
});

test("ping is answered with pong echoing its id, also mid-turn", async () => {
  const { c } = await session();
  const start = c.frames.length;
  c.send({ type: "message", text: "show me kurtas" });
  c.send({ type: "ping", id: { n: 7, s: "x" } });
  const pong = await c.until(() => c.since(start, "pong")[0], "pong");
  assert.deepEqual(pong.id, { n: 7, s: "x" });
  await c.until(() => c.since(start, "final")[0], "the turn's final");
});

test("malformed frames get bad_frame errors and the connection keeps working", async () => {
  const { c } = await session();
  const bad = ["not json", "[1,2]", "{\"text\":\"no type\"}", "{\"type\":\"teleport\"}",
               "{\"type\":\"message\"}", "{\"type\":\"message\",\"text\":42}",
               "{\"type\":\"message\",\"text\":\"\"}", "{\"type\":\"like\"}",
               "{\"type\":\"hello\"}", "[".repeat(5000)];
  for (const frame of bad) {
    const start = c.frames.length;
    c.send(frame);
    const err = await c.until(() => c.since(start, "error")[0], `an error for ${frame.slice(0, 30)}`);
    assert.equal(err.code, "bad_frame", frame.slice(0, 30));
    assert.equal(typeof err.message, "string");
  }
  const start = c.frames.length;
  c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
  const err = await c.until(() => c.since(start, "error")[0], "an error for a binary frame");
  assert.equal(err.code, "bad_frame");
  const ok = await c.turn("show me kurtas");
  assert.equal(ok.of("products").length, 1, "still serving after bad frames");
  assert.equal(c.closed, null);
});

test("with auth off, a first frame other than hello says hello implicitly", async () => {
  const c = new client(server.ws_url);
  open_clients.push(c);
  await c.opened();
  c.send({ type: "message", text: "show me kurtas" });
  await c.until(() => c.frames.find((f) => f.type === "final"), "final");
  assert.equal(c.frames[0].type, "welcome", "welcome comes first");
  assert.ok(c.frames.some((f) => f.type === "products"));
});

test("SIGTERM closes open sockets with 1001 and the server exits cleanly", async () => {
  const own = await start_server();
  try {
    const { c } = await connect(own.ws_url);
    await c.turn("show me kurtas");
    const code = await own.stop();
    const closed = await c.close_event();
    assert.equal(closed.code, 1001);
    assert.equal(code, 0);
  } finally {
    await own.stop();
  }
});

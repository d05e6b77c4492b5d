// ws_limits.test.mjs — every configurable limit seen from a real client: frame size (1009),
// message length, queued turns, idle timeout (1000), connections (1013), a reader that stops
// reading (send queue overflow), and the HTTP request size.
// Threading: each test starts its own server with small limits and stops it at the end.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { start_server } from "./lib/server.mjs";
import { client, connect } from "./lib/client.mjs";

async function with_server(overrides, body) {
  const server = await start_server(overrides);
  const clients = [];
  try {
    await body(server, clients);
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

async function metric(server, name) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n"))
    if (line.startsWith(name) && /[\s{]/.test(line[name.length] ?? ""))
      sum += Number(line.trim().split(/\s+/).at(-1));
  return sum;
}

test("a frame over limits.max_frame_bytes closes the connection with 1009", async () => {
  await with_server({ "limits.max_frame_bytes": 4096 }, async (server, clients) => {
    const { c, welcome } = await connect(server.ws_url);
    clients.push(c);
    assert.equal(welcome.limits.max_frame_bytes, 4096);
    c.send({ type: "message", text: "x".repeat(3000) });   // under the frame limit: fine
    c.send({ type: "message", text: "y".repeat(5000) });   // over it
    const closed = await c.close_event();
    assert.equal(closed.code, 1009);
    // The server is still serving others.
    const other = await connect(server.ws_url);
    clients.push(other.c);
    assert.equal((await other.c.turn("show me kurtas")).of("products").length, 1);
  });
});

test("text over limits.max_message_bytes gets text_too_long and the connection stays", async () => {
  await with_server({ "limits.max_message_bytes": 100 }, async (server, clients) => {
    const { c, welcome } = await connect(server.ws_url);
    clients.push(c);
    assert.equal(welcome.limits.max_message_bytes, 100);
    let start = c.frames.length;
    c.send({ type: "message", text: "a".repeat(101) });
    const err = await c.until(() => c.since(start, "error")[0], "text_too_long");
    assert.equal(err.code, "text_too_long");
    // Bytes, not characters: 34 three-byte characters are 102 bytes.
    start = c.frames.length;
    c.send({ type: "message", text: "€".repeat(34) });
    const err2 = await c.until(() => c.since(start, "error")[0], "text_too_long for UTF-8");
    assert.equal(err2.code, "text_too_long");
    assert.equal(c.since(start, "final").length, 0, "the long turn was dropped");
    const ok = await c.turn("show me kurtas " + "x".repeat(60));
    assert.equal(ok.final.type, "final");
    assert.equal(c.closed, null);
  });
});

test("turns beyond limits.max_queued_turns get queue_full; the rest are answered in order", async () => {
  await with_server({ "limits.max_queued_turns": 1, "rate_limit.turns_per_second": 0 },
                    async (server, clients) => {
    const { c, welcome } = await connect(server.ws_url);
    clients.push(c);
    assert.equal(welcome.limits.max_queued_turns, 1);
    const start = c.frames.length;
    const n = 40;
    for (let i = 0; i < n; i++)
      c.send({ type: "message", text: "find black running shoes under 3000 and show my cart" });
    const done = () => {
      const f = c.since(start);
      return f.filter((x) => x.type === "final").length
        + f.filter((x) => x.type === "error" && x.code === "queue_full").length === n;
    };
    await c.until(done, `${n} finals or queue_full errors`);
    const full = c.since(start, "error").filter((e) => e.code === "queue_full");
    const finals = c.since(start, "final");
    assert.ok(full.length > 0, "a burst of 40 turns overflows a queue of 1");
    assert.ok(finals.length >= 2, "the running turn and the queued one are answered");
    const ids = finals.map((f) => f.turn_id);
    assert.deepEqual([...ids].sort((a, b) => a - b), ids);
    // After the burst the session works normally.
    assert.equal((await c.turn("show my cart")).final.type, "final");
  });
});

test("an idle connection is closed with 1000 after limits.idle_timeout_ms", async () => {
  await with_server({ "limits.idle_timeout_ms": 1000 }, async (server, clients) => {
    const { c, welcome } = await connect(server.ws_url);
    clients.push(c);
    assert.equal(welcome.limits.idle_timeout_ms, 1000);
    const closed = await c.close_event();
    assert.equal(closed.code, 1000);
    assert.match(closed.reason, /idle/i);
  });
});

test("limits.max_connections refuses the next upgrade with 1013, and frees the slot on close",
     async () => {
  await with_server({ "limits.max_connections": 2 }, async (server, clients) => {
    const a = await connect(server.ws_url);
    const b = await connect(server.ws_url);
    clients.push(a.c, b.c);
    const third = new client(server.ws_url);
    clients.push(third);
    const closed = await third.close_event();
    assert.equal(closed.code, 1013);
    assert.equal(third.frames.filter((f) => f.type === "welcome").length, 0);
    assert.ok(await metric(server, "cartmate_ws_connections_refused_total") >= 1);

    a.c.ws.close(1000);
    await a.c.close_event();
    // The slot frees once the server has seen the close; bounded retries, no sleeps asserted.
    let admitted = null;
    for (let attempt = 0; attempt < 50 && !admitted; attempt++) {
      const d = new client(server.ws_url);
      clients.push(d);
      try {
        await d.hello();
        admitted = d;
      } catch (_) {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(admitted, "a connection is accepted again after one closed");
  });
});

test("a client that stops reading is dropped instead of growing the send queue", async () => {
  await with_server({ "limits.send_queue_frames": 8, "limits.max_queued_turns": 64,
                      "rate_limit.turns_per_second": 0 }, async (server, clients) => {
    const { c } = await connect(server.ws_url);
    clients.push(c);
    c.ws._socket.pause();   // the slow reader: the kernel buffers fill, then the server's queue
    const dropped = async () => await metric(server, "cartmate_ws_dropped_total") > 0;
    let gone = false;
    for (let wave = 0; wave < 200 && !gone; wave++) {
      for (let i = 0; i < 50; i++)
        c.send({ type: "message", text: "show me kurtas" });
      await new Promise((r) => setTimeout(r, 50));
      gone = await dropped();
    }
    assert.ok(gone, "cartmate_ws_dropped_total counts the dropped slow reader");
    c.ws._socket.resume();
    const closed = await c.close_event();
    assert.ok([1006, 1008].includes(closed.code), `closed with ${closed.code}`);
    const other = await connect(server.ws_url);
    clients.push(other.c);
    assert.equal((await other.c.turn("show me kurtas")).final.type, "final");
  });
});

test("oversized and malformed HTTP requests get 4xx and the server keeps serving", async () => {
  await with_server({ "limits.max_http_request_bytes": 2048 }, async (server) => {
    const raw = (request) => new Promise((resolve, reject) => {
      const socket = net.connect(server.port, "127.0.0.1");
      let reply = "";
      socket.on("data", (d) => { reply += d.toString(); });
      socket.on("end", () => resolve(reply));
      socket.on("close", () => resolve(reply));
      socket.on("error", (e) => (reply ? resolve(reply) : reject(e)));
      socket.setTimeout(10000, () => socket.destroy());
      socket.end(request);
    });
    const status = (reply) => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1]);
    const big_header = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(4096)}\r\n\r\n`);
    assert.ok(status(big_header) >= 400 && status(big_header) < 500, big_header.slice(0, 80));
    const garbage = await raw("\x01\x02 not http at all\r\n\r\n");
    assert.ok(garbage === "" || (status(garbage) >= 400 && status(garbage) < 500), garbage.slice(0, 80));
    const unknown = await fetch(`${server.url}/no/such/path`);
    assert.equal(unknown.status, 404);
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
  });
});

// client.mjs — a WebSocket test client speaking CartMate's frame protocol (docs/protocol.md).
// Threading: Node's single event loop; every wait is bounded so a broken server fails the test.
import WebSocket from "ws";
import crypto from "node:crypto";

export const wait_limit_ms = 20000;

/// One connection: records every frame and the close, and lets a test wait for either.
export class client {
  constructor(url, options = {}) {
    this.frames = [];
    this.closed = null;        // {code, reason} once closed
    this.waiters = [];
    this.ws = new WebSocket(url, { perMessageDeflate: false, ...options });
    this.ws.on("message", (data, is_binary) => {
      let frame;
      try {
        frame = JSON.parse(data.toString());
      } catch (err) {
        frame = { type: "<unparsable>", raw: data.toString(), is_binary };
      }
      this.frames.push(frame);
      this.poke();
    });
    this.ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.poke();
    });
    this.ws.on("error", (err) => {
      this.error = err;
      this.poke();
    });
  }

  /// Resolves once the socket is open; rejects with the handshake error (e.g. "Unexpected server response: 503").
  opened() {
    if (this.ws.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.ws.once("open", resolve);
      this.ws.once("error", reject);
      this.ws.once("close", () => reject(new Error("closed before open")));
    });
  }

  poke() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /// Waits until `check()` returns a truthy value (re-checked after every frame or close).
  until(check, what, limit_ms = wait_limit_ms) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}; frames so far: `
          + JSON.stringify(this.frames.slice(-12)) + `; closed: ${JSON.stringify(this.closed)}`));
      }, limit_ms);
      const attempt = () => {
        let value;
        try {
          value = check();
        } catch (err) {
          clearTimeout(timer);
          reject(err);
          return;
        }
        if (value) {
          clearTimeout(timer);
          resolve(value);
        } else {
          this.waiters.push(attempt);
        }
      };
      attempt();
    });
  }

  send(frame) {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /// Sends hello and resolves to the welcome frame (rejects on an error frame or a close).
  async hello(fields = {}) {
    await this.opened();
    const start = this.frames.length;
    this.send({ type: "hello", ...fields });
    const got = await this.until(() => this.frames.slice(start).find(
      (f) => f.type === "welcome" || f.type === "error") || this.closed, "welcome");
    if (got.type !== "welcome")
      throw Object.assign(new Error(`hello refused: ${JSON.stringify(got)}`), { frame: got });
    return got;
  }

  /// The frames after index `start` of the given type.
  since(start, type) {
    return this.frames.slice(start).filter((f) => !type || f.type === type);
  }

  /// Sends one message frame and resolves to every frame of that turn, up to and including final.
  async turn(text, frame = { type: "message", text }) {
    const start = this.frames.length;
    this.send(frame);
    const final = await this.until(() => this.since(start).find(
      (f) => f.type === "final" || (f.type === "error" && !("turn_id" in f))) || this.closed,
      `the end of turn "${text}"`);
    if (final.type !== "final")
      throw new Error(`turn "${text}" ended with ${JSON.stringify(final)}`);
    const frames = this.since(start).filter((f) => f.turn_id === undefined
      || f.turn_id === final.turn_id);
    return { final, frames, of: (type) => frames.filter((f) => f.type === type) };
  }

  close_event(limit_ms = wait_limit_ms) {
    return this.until(() => this.closed, "the connection to close", limit_ms);
  }

  close() {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.terminate();
  }
}

/// Connects and says hello; resolves to {c, welcome}.
export async function connect(url, hello = {}) {
  const c = new client(url);
  const welcome = await c.hello(hello);
  return { c, welcome };
}

/// Resumes `session_id` with a new connection; resolves to {c, welcome}. The server frees a
/// session once it has processed the old connection's close, which may trail the client's view
/// of it by a moment: a bounded number of attempts, each a fresh connection.
export async function resume(url, session_id, hello = {}, attempts = 20) {
  let last;
  for (let i = 0; i < attempts; i++) {
    last = await connect(url, { ...hello, session_id });
    if (last.welcome.resumed) return last;
    last.c.close();
    await new Promise((r) => setTimeout(r, 50));
  }
  return last;
}

const b64url = (buf) => Buffer.from(buf).toString("base64url");

/// A token in the server's format: base64url(JSON {tenant,user,exp}) "." base64url(HMAC-SHA256).
export function mint_token(secret, { tenant, user, exp = Math.floor(Date.now() / 1000) + 3600 }) {
  const payload = b64url(JSON.stringify({ tenant, user, exp }));
  const mac = crypto.createHmac("sha256", secret).update(payload).digest();
  return `${payload}.${b64url(mac)}`;
}

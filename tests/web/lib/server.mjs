// server.mjs — starts `cartmate serve` on a free 127.0.0.1 port for one test file and stops it.
// Threading: Node's single event loop; each test file owns the servers it starts.
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const source_dir = process.env.CARTMATE_SOURCE_DIR || path.resolve(here, "..", "..", "..");
export const cartmate_bin = process.env.CARTMATE_BIN || path.join(source_dir, "build", "cartmate");

const listening = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
const start_limit_ms = 60000;   // a cold start loads and indexes the demo catalog

/// Starts a server with `--key=value` overrides; resolves to {port, url, ws_url, stop(), output()}.
export async function start_server(overrides = {}) {
  const args = ["serve", "--server.port=0"];
  for (const [key, value] of Object.entries(overrides))
    args.push(`--${key}=${value}`);
  const child = spawn(cartmate_bin, args, { cwd: source_dir, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error("no 'listening on' line in time")), start_limit_ms);
    function fail(err) {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${err.message}\n${cartmate_bin} ${args.join(" ")}\n--- output ---\n${out}`));
    }
    const read = (chunk) => {
      out += chunk.toString();
      const m = listening.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("error", fail);
    child.on("exit", (code, signal) => fail(new Error(`server exited early (${code ?? signal})`)));
  });
  let stopped = false;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    ws_url: `ws://127.0.0.1:${port}/ws`,
    child,
    output: () => out,
    /// SIGTERM, then SIGKILL if it has not exited within the bound; resolves to the exit code.
    async stop() {
      if (stopped) return child.exitCode;
      stopped = true;
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15000);
      const [code] = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

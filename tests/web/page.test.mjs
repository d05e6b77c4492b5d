// page.test.mjs — the web chat page in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core; no browser download): search, product cards, add to cart, confirm checkout,
// resume after a reload; saves a screenshot under <build>/test-artifacts/.
// Threading: one server and one browser for the file; tests run in sequence.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { start_server, source_dir } from "./lib/server.mjs";

const chromium_path = process.env.CARTMATE_CHROMIUM || "/usr/bin/chromium";
const artifacts = process.env.CARTMATE_ARTIFACTS_DIR
  || path.join(source_dir, "build", "test-artifacts");
const step_ms = 20000;

let server;
let context;
let profile_dir;

before(async () => {
  server = await start_server();
  profile_dir = fs.mkdtempSync(path.join(os.tmpdir(), "cartmate-chromium-"));
  context = await chromium.launchPersistentContext(profile_dir, {
    executablePath: chromium_path,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1200, height: 900 },
  });
  context.setDefaultTimeout(step_ms);
});

after(async () => {
  await context?.close();
  await server?.stop();
  if (profile_dir) fs.rmSync(profile_dir, { recursive: true, force: true });
});

test("GET / serves the chat page", async () => {
  const res = await fetch(`${server.url}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type"), /text\/html/);
  const body = await res.text();
  assert.match(body, /<title>CartMate<\/title>/);
  assert.match(body, /id="composer"/);
});

test("search, product cards, add to cart, confirm checkout", async () => {
  const page = await context.newPage();
  const console_errors = [];
  page.on("pageerror", (err) => console_errors.push(String(err)));
  page.on("console", (msg) => { if (msg.type() === "error") console_errors.push(msg.text()); });
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-state="open"]');

  const input = page.getByRole("textbox", { name: "Message" });
  await input.fill("show me kurtas for women");
  await page.getByRole("button", { name: "Send" }).click();

  const cards = page.locator(".product-card");
  await cards.first().waitFor();
  const count = await cards.count();
  assert.ok(count >= 2, `${count} product cards`);
  const second = cards.nth(1);
  const title = (await second.locator(".title").textContent()).trim();
  assert.ok(title.length > 0);
  assert.ok((await second.locator(".brand").textContent()).trim().length > 0, "brand shown");
  assert.match(await second.locator(".price").textContent(), /\d/, "price shown");
  assert.match(await second.locator(".colour").textContent(), /Colour: \S/, "colour shown");
  // Progress lines streamed before the answer.
  assert.ok(await page.locator(".progress").count() >= 1, "progress lines shown");
  await page.locator(".msg.bot.final").last().waitFor();
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "web_chat_products.png") });

  await second.getByRole("button", { name: `Add ${title} to cart` }).click();
  const cart_line = page.locator("#cart-lines .cart-line");
  await cart_line.first().waitFor();
  assert.equal(await cart_line.count(), 1);
  assert.ok((await cart_line.first().textContent()).includes(title), "the clicked card is in the cart");
  assert.match(await page.locator("#cart-total").textContent(), /1 item/);

  await input.fill("checkout");
  await input.press("Enter");
  const confirm = page.getByRole("button", { name: "Confirm order" });
  await confirm.waitFor();
  assert.ok(await page.getByRole("button", { name: "Cancel" }).isEnabled());
  await confirm.click();
  const placed = page.locator(".msg.bot.final", { hasText: /is placed/ });
  await placed.waitFor();
  assert.ok(await confirm.isDisabled(), "confirm is used once");

  const shot = path.join(artifacts, "web_chat_checkout.png");
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(fs.statSync(shot).size > 1000, "screenshot written");
  assert.deepEqual(console_errors, []);
  await page.close();
});

test("coming back in the same tab resumes the session: earlier results are still \"on screen\"", async () => {
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-state="open"]');
  const input = page.getByRole("textbox", { name: "Message" });
  await input.fill("show me kurtas");
  await input.press("Enter");
  await page.locator(".product-card").first().waitFor();
  const first_title = (await page.locator(".product-card .title").first().textContent()).trim();
  await page.locator(".msg.bot.final").last().waitFor();
  const session_id = await page.evaluate(() => sessionStorage.getItem("cartmate.session_id"));
  assert.match(session_id, /^[0-9a-f]{32}$/);

  // Leave and come back in the same tab (sessionStorage survives). The server frees a session
  // for resuming once it has processed the old socket's close: wait for its gauge to drop
  // rather than racing the new hello against it.
  await page.goto("about:blank");
  let open = 1;
  for (let attempt = 0; attempt < 100 && open > 0; attempt++) {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    open = Number(/^cartmate_ws_connections\s+(\S+)/m.exec(text)?.[1] ?? 1);
    if (open > 0) await new Promise((r) => setTimeout(r, 50));
  }
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-state="open"]');
  assert.match(await page.locator("#status").textContent(), /resumed/);
  await input.fill("add the first one to my cart");
  await input.press("Enter");
  await page.locator("#cart-lines .cart-line").first().waitFor();
  assert.ok((await page.locator("#cart-lines").textContent()).includes(first_title));
  await page.close();
});

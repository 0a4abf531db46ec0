// Drives Debian's Chromium through a site repowiki built, opened from file:// and served over
// HTTP (with a strict Content-Security-Policy), and checks what a reader would notice: search,
// the light/dark toggle, links, diagrams, source lines, console errors. Saves screenshots.
//
//   node site.mjs --site DIR --http URL --shots DIR --symbol NAME --expect TEXT --source PAGE
//                 --class NAME --helper PATH --risk FILE-PAGE --risk-part PART-PAGE
//
// Exits 1 and lists every failure when something is wrong. Run by tests/browser.rs.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
}
for (const need of ["site", "http", "shots", "symbol", "expect", "source", "class", "helper", "risk", "risk-part"]) {
  if (!args[need]) {
    console.error(`missing --${need}`);
    process.exit(2);
  }
}
const site = path.resolve(args.site);
const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}
const pages = walk(site)
  .filter((p) => p.endsWith(".html"))
  .map((p) => path.relative(site, p).split(path.sep).join("/"))
  .sort();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // What Chromium needs in a closed network (see shared/DEPENDENCIES.md).
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

// Opens a context that records every console error, page error and failed request.
async function open(label, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") failures.push(`${label}: console error on ${page.url()}: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => failures.push(`${label}: script error on ${page.url()}: ${e.message}`));
  page.on("requestfailed", (r) => {
    // Aborted: cut short by the next navigation (the favicon of a page left at once).
    if (r.failure()?.errorText === "net::ERR_ABORTED") return;
    failures.push(`${label}: request failed on ${page.url()}: ${r.url()} (${r.failure()?.errorText})`);
  });
  return { context, page };
}

const theme = (page) =>
  page.evaluate(() => ({
    attr: document.documentElement.getAttribute("data-theme"),
    bg: getComputedStyle(document.body).backgroundColor,
    label: document.getElementById("theme-toggle")?.textContent,
  }));
const DARK = "rgb(13, 17, 23)";
const LIGHT = "rgb(255, 255, 255)";

async function exercise(label, base) {
  const url = (p) => new URL(p, base).href;
  const { context, page } = await open(label);

  // Search: `/` focuses the box, typing lists the symbol first, Enter opens its page. Over
  // HTTP the index arrives slowly, after the whole word is typed: the results must then be the
  // word's (what was typed while it loaded is searched when it arrives).
  if (base.startsWith("http")) {
    await page.route("**/search.js", async (route) => {
      await new Promise((done) => setTimeout(done, 500));
      await route.continue();
    });
  }
  await page.goto(url("index.html"));
  await page.keyboard.press("/");
  check(
    (await page.evaluate(() => document.activeElement && document.activeElement.id)) === "search",
    `${label}: "/" does not focus the search box`,
  );
  await page.keyboard.type(args.symbol);
  const first = page.locator("#search-results li a").first();
  await first.waitFor({ timeout: 15000 }).catch(() => failures.push(`${label}: no search results for ${args.symbol}`));
  check(((await first.textContent().catch(() => "")) || "").includes(args.symbol), `${label}: first result is not ${args.symbol}`);
  await Promise.all([page.waitForURL((u) => u.href.includes(args.expect), { timeout: 15000 }).catch(() => {}), page.keyboard.press("Enter")]);
  check(page.url().includes(args.expect), `${label}: Enter on the result opened ${page.url()}, not ${args.expect}`);
  const hash = decodeURIComponent(new URL(page.url()).hash.slice(1));
  check(hash && (await page.evaluate((h) => !!document.getElementById(h), hash)), `${label}: the symbol's anchor #${hash} is not on its page`);

  // A class is listed before the test helper of the same name, and every row says where it is.
  await page.fill("#search", "");
  await page.type("#search", args.class.toLowerCase());
  await page.locator("#search-results li a").first().waitFor({ timeout: 15000 }).catch(() => {});
  const rows = await page.$$eval("#search-results li a", (links) =>
    links.map((a) => ({ kind: a.querySelector(".kind")?.textContent || "", path: a.querySelector(".path")?.textContent || "", text: a.textContent })),
  );
  const helper = rows.findIndex((r) => r.path === args.helper);
  const types = rows.filter((r) => ["class", "interface"].includes(r.kind) && r.text.includes(args.class));
  check(types.length >= 2 && helper > rows.indexOf(types[types.length - 1]), `${label}: "${args.class}" does not list its types before the test helper: ${JSON.stringify(rows)}`);
  check(types.every((r) => r.path) && new Set(types.map((r) => r.path)).size === types.length, `${label}: same-named results do not show their paths: ${JSON.stringify(types)}`);

  // The freshness line: which commit the site was built from, against its branch.
  const fresh = await page.evaluate(() => {
    const el = document.querySelector("[data-freshness]");
    return el && !el.hidden ? el.textContent : "";
  });
  check(/^Built from [0-9a-f]{7} \(.*\), up to date with \S+ when it was built\.$/.test(fresh), `${label}: freshness line reads "${fresh}"`);

  // Knowledge at risk comes from the shared risk.js: a file page's line, a part page's links.
  await page.goto(url(args.risk));
  const risk = await page.evaluate(() => {
    const el = document.querySelector("[data-risk]");
    return el && !el.hidden ? el.textContent : "";
  });
  check(/^Knowledge at risk: \d+% of its lines come from .+, last active \d{4}-\d\d-\d\d\.$/.test(risk), `${label}: the risk line of ${args.risk} reads "${risk}"`);
  await page.goto(url(args["risk-part"]));
  const atRisk = await page.$$eval("[data-risk-part]:not([hidden]) a", (links) => links.map((a) => a.href));
  check(atRisk.length > 0, `${label}: ${args["risk-part"]} lists no file at risk`);
  if (atRisk.length) {
    await page.goto(atRisk[0]);
    check(await page.evaluate(() => !!document.querySelector("[data-risk]:not([hidden])")), `${label}: ${atRisk[0]} is not the page of a file at risk`);
  }

  // Light/dark: follows the system until toggled; the choice is remembered across pages and reloads.
  await page.goto(url("index.html"));
  let t = await theme(page);
  check(t.attr === null && t.bg === LIGHT && t.label === "Dark", `${label}: unexpected start theme ${JSON.stringify(t)}`);
  await page.click("#theme-toggle");
  t = await theme(page);
  check(t.attr === "dark" && t.bg === DARK && t.label === "Light", `${label}: the toggle did not switch to dark: ${JSON.stringify(t)}`);
  await page.reload();
  t = await theme(page);
  check(t.attr === "dark" && t.bg === DARK, `${label}: dark was not remembered on reload: ${JSON.stringify(t)}`);
  await page.goto(url(args.source));
  t = await theme(page);
  check(t.bg === DARK, `${label}: dark was not remembered on another page: ${JSON.stringify(t)}`);
  await page.click("#theme-toggle");
  await page.goto(url("history.html"));
  t = await theme(page);
  check(t.attr === "light" && t.bg === LIGHT, `${label}: light was not remembered: ${JSON.stringify(t)}`);
  await context.close();

  const dark = await open(`${label} (system dark)`, { colorScheme: "dark" });
  await dark.page.goto(url("index.html"));
  t = await theme(dark.page);
  check(t.attr === null && t.bg === DARK && t.label === "Light", `${label}: a dark system does not give a dark page: ${JSON.stringify(t)}`);
  await dark.context.close();

  // Every page: load it (errors are recorded), note its ids and its links as the reader gets
  // them (after the scripts filled the sidebar), SVG links included.
  const crawl = await open(label);
  const ids = new Map();
  const links = [];
  for (const p of pages) {
    await crawl.page.goto(url(p));
    const found = await crawl.page.evaluate(() => ({
      ids: [...document.querySelectorAll("[id]")].map((e) => e.id),
      links: [...document.querySelectorAll("a[href]")].map((a) => ({
        href: new URL(a.getAttribute("href"), document.baseURI).href,
        svg: a instanceof SVGElement,
      })),
    }));
    ids.set(p, new Set(found.ids));
    for (const l of found.links) links.push({ from: p, ...l });
  }
  let local = 0;
  let svg = 0;
  for (const l of links) {
    if (!l.href.startsWith(base)) continue; // the hosting service, never fetched here
    local += 1;
    if (l.svg) svg += 1;
    const target = new URL(l.href);
    const rel = decodeURIComponent(target.href.slice(base.length).split("#")[0]);
    const file = path.join(site, rel);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      failures.push(`${label}: ${l.from} links to ${l.href}: no such file`);
      continue;
    }
    const fragment = decodeURIComponent(target.hash.slice(1));
    if (fragment && rel.endsWith(".html") && !ids.get(rel)?.has(fragment)) {
      failures.push(`${label}: ${l.from} links to ${l.href}: no such anchor`);
    }
  }
  check(svg > 0, `${label}: no diagram node links anywhere`);
  const overviewNodes = links.filter((l) => l.from === "index.html" && l.svg).length;
  check(overviewNodes > 0, `${label}: the overview's diagram has no node links`);
  const partDiagrams = links.filter((l) => l.from.startsWith("parts/") && l.svg).length;
  check(partDiagrams > 0, `${label}: no part page has a file diagram with links`);

  // A cited line: the source view has it, and it is highlighted when linked to.
  await crawl.page.goto(url(`${args.source}#L3`));
  const line = await crawl.page.evaluate(() => {
    const el = document.getElementById("L3");
    return el && { target: el.matches(":target"), bg: getComputedStyle(el).backgroundColor, coloured: document.querySelectorAll("pre.source .line span").length };
  });
  check(line && line.target && line.bg !== "rgba(0, 0, 0, 0)", `${label}: line 3 of ${args.source} is not shown as the target: ${JSON.stringify(line)}`);
  check(line && line.coloured > 0, `${label}: the source view of ${args.source} has no colours`);
  await crawl.context.close();
  console.log(`${label}: ${pages.length} pages, ${local} links checked (${svg} from diagrams)`);
}

// A phone (390 px): no page scrolls sideways; the title is in the first screen; the sidebar
// waits behind the menu button, which opens it.
async function phone() {
  const { context, page } = await open("phone", { viewport: { width: 390, height: 844 } });
  const base = pathToFileURL(site + "/").href;
  let wide = 0;
  for (const p of pages) {
    await page.goto(new URL(p, base).href);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (over > 0) {
      wide += 1;
      failures.push(`phone: ${p} scrolls sideways by ${over} px at 390 px`);
    }
  }
  for (const p of ["index.html", pages.find((x) => x.startsWith("parts/"))]) {
    await page.goto(new URL(p, base).href);
    const top = await page.evaluate(() => document.querySelector("main h1").getBoundingClientRect().top);
    check(top < 844, `phone: the title of ${p} starts ${top} px down, below the first screen`);
    const hidden = await page.evaluate(() => getComputedStyle(document.getElementById("sidebar")).display === "none");
    check(hidden, `phone: the sidebar of ${p} is shown before the menu is opened`);
    await page.click("#menu-toggle");
    const shown = await page.evaluate(() => {
      const s = document.getElementById("sidebar");
      return getComputedStyle(s).display !== "none" && s.textContent.includes("Parts");
    });
    check(shown, `phone: the menu button of ${p} does not open the sidebar`);
    check((await page.getAttribute("#menu-toggle", "aria-expanded")) === "true", `phone: the menu button of ${p} does not say it is open`);
  }
  await page.screenshot({ path: path.join(args.shots, "phone-menu.png") });
  await context.close();
  console.log(`phone: ${pages.length} pages at 390 px, ${wide} scroll sideways`);
}

async function screenshots() {
  fs.mkdirSync(args.shots, { recursive: true });
  const base = pathToFileURL(site + "/").href;
  const part = pages.find((p) => p.startsWith("parts/") && fs.readFileSync(path.join(site, p), "utf8").includes("<svg class=\"diagram\""));
  for (const scheme of ["light", "dark"]) {
    const { context, page } = await open(`screenshots (${scheme})`, { colorScheme: scheme });
    for (const [name, p] of [["overview", "index.html"], ["part", part], ["file", args.source]]) {
      if (!p) continue;
      await page.goto(new URL(p, base).href);
      const out = path.join(args.shots, `${name}-${scheme}.png`);
      await page.screenshot({ path: out, fullPage: true });
    }
    await context.close();
  }
  console.log(`screenshots in ${args.shots}`);
}

try {
  await exercise("file://", pathToFileURL(site + "/").href);
  await exercise("http", args.http.replace(/\/?$/, "/"));
  await screenshots();
  await phone();
} catch (e) {
  failures.push(`the run stopped: ${e.stack || e}`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`${failures.length} failures:\n` + failures.join("\n"));
  process.exit(1);
}
console.log("all browser checks passed");

// Parses and draws every Mermaid block of a markdown wiki with the `mermaid` package in
// Debian's Chromium, as GitHub and GitLab would: a block that does not parse or draw fails.
//
//   node mermaid.mjs --wiki DIR
//
// Prints how many blocks passed; exits 1 and lists every failure. Run by tests/browser.rs.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
}
if (!args.wiki) {
  console.error("missing --wiki");
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}
const blocks = [];
for (const file of walk(args.wiki).filter((p) => p.endsWith(".md")).sort()) {
  const text = fs.readFileSync(file, "utf8");
  for (const m of text.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)) {
    blocks.push({ file: path.relative(args.wiki, file), text: m[1] });
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
await page.setContent("<!doctype html><html><body><div id=out></div></body></html>");
await page.addScriptTag({ path: path.join(here, "node_modules/mermaid/dist/mermaid.min.js") });
await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" }));
const failures = [];
let n = 0;
for (const b of blocks) {
  const error = await page.evaluate(async ([text, id]) => {
    try {
      await window.mermaid.parse(text);
      const { svg } = await window.mermaid.render(id, text);
      return svg.includes("<svg") ? null : "no svg drawn";
    } catch (e) {
      return String((e && e.message) || e);
    }
  }, [b.text, `m${n++}`]);
  if (error) failures.push(`${b.file}: ${error}\n${b.text}`);
}
await browser.close();
if (failures.length) {
  console.error(failures.join("\n\n"));
  process.exit(1);
}
console.log(`${blocks.length} mermaid blocks parsed and drawn`);

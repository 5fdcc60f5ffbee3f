// Copies the pinned chart libraries (package-lock.json) into static/vendor/charts/ with their
// licences: `npm ci && node build.mjs`, run by `make static` (docs/charts.md).
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const out = join(here, "..", "static", "vendor", "charts");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "licenses"), { recursive: true });

// Without their source-map comments: the maps are not shipped (and the static files' manifest
// would look for them).
const copyScript = (from, to) =>
  writeFileSync(to, readFileSync(from, "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n"));
copyScript(join(modules, "plotly.js-strict-dist-min", "plotly-strict.min.js"), join(out, "plotly.js"));
// plotly.js's defaults name two CDNs (map outlines and map icons). The sandbox's CSP blocks
// them anyway; the copy we serve names no host at all.
const cdnDefaults = [
  ['"https://cdn.plot.ly/un/"', '"data:,"'],
  ["`https://cdn.jsdelivr.net/npm/@mapbox/maki@8.2.0/icons/${p}.svg`", '"data:,"'],
];
let plotly = readFileSync(join(out, "plotly.js"), "utf8");
for (const [from, to] of cdnDefaults) {
  if (!plotly.includes(from)) throw new Error(`plotly.js no longer contains ${from}: update build.mjs`);
  plotly = plotly.replaceAll(from, to);
}
writeFileSync(join(out, "plotly.js"), plotly);
const assets = { ".woff": "empty", ".woff2": "empty", ".ttf": "empty", ".eot": "empty", ".svg": "dataurl", ".png": "dataurl", ".gif": "dataurl" };
const css = await build({
  entryPoints: [join(here, "src", "widgets.css")],
  bundle: true,
  minify: true,
  write: false,
  outfile: "widgets.css",
  loader: assets,
  logLevel: "warning",
});
await build({
  entryPoints: [join(here, "src", "widgets.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "none",
  outfile: join(out, "widgets.js"),
  loader: { ".css": "text", ...assets },
  define: {
    NS_WIDGET_STYLES: JSON.stringify(css.outputFiles.find((file) => file.path.endsWith(".css")).text),
    "process.env.NODE_ENV": '"production"',
  },
  logLevel: "warning",
});
await build({
  entryPoints: [join(here, "src", "vega.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "none",
  outfile: join(out, "vega.js"),
  logLevel: "warning",
});

const packages = [
  ["plotly.js-strict-dist-min", "LICENSE"],
  ["vega", "LICENSE"],
  ["vega-lite", "LICENSE"],
  ["vega-interpreter", "LICENSE"],
  ["@jupyter-widgets/html-manager", "LICENSE"],
];
const lines = ["Vendored chart libraries (built by frontend/build.mjs from package-lock.json)", ""];
for (const [name, licence] of packages) {
  const meta = JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8"));
  let text;
  try {
    text = readFileSync(join(modules, name, licence), "utf8");
  } catch {
    text = `${meta.license}\n`;
  }
  writeFileSync(join(out, "licenses", `${name.replace("/", "__")}.txt`), text);
  lines.push(`${name} ${meta.version} (${meta.license})`);
}
copyFileSync(
  join(modules, "@jupyter-widgets", "html-manager", "dist", "embed.js.LICENSE.txt"),
  join(out, "licenses", "html-manager-bundled-packages.txt"),
);
lines.push("");
for (const file of ["plotly.js", "vega.js", "widgets.js"]) {
  const code = readFileSync(join(out, file), "utf8");
  // A CDN named anywhere but in a commented-out CSS @import fails the build.
  for (const cdn of code.matchAll(/https?:\/\/(cdn|unpkg|fonts\.googleapis)[^"'`\s)]*/g)) {
    if (!code.slice(Math.max(0, cdn.index - 20), cdn.index).includes("/* @import")) {
      throw new Error(`${file} names a CDN: ${cdn[0]}`);
    }
  }
  const digest = createHash("sha256").update(readFileSync(join(out, file))).digest("hex");
  lines.push(`${file} sha256 ${digest}`);
}
writeFileSync(join(out, "VERSIONS.txt"), `${lines.join("\n")}\n`);

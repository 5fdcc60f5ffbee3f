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
// Addresses the libraries name that no page of ours may load: plotly.js's two CDN defaults (map
// outlines and icons) and a commented-out web-font @import in the widgets' CSS. The sandbox's
// CSP blocks them anyway; the copies we serve name no host at all.
const scrub = (file, replacements) => {
  let code = readFileSync(join(out, file), "utf8");
  for (const [from, to] of replacements) {
    if (!code.includes(from)) throw new Error(`${file} no longer contains ${from}: update build.mjs`);
    code = code.replaceAll(from, to);
  }
  writeFileSync(join(out, file), code);
};
scrub("plotly.js", [
  ['"https://cdn.plot.ly/un/"', '"data:,"'],
  ["`https://cdn.jsdelivr.net/npm/@mapbox/maki@8.2.0/icons/${p}.svg`", '"data:,"'],
]);
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
scrub("widgets.js", [["/* @import url('https://fonts.googleapis.com/css?family=Roboto+Mono'); */", ""]]);
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
  // A CDN named anywhere fails the build.
  const cdn = code.match(/https?:\/\/(cdn|unpkg|fonts\.googleapis)[^"'`\s)]*/);
  if (cdn) throw new Error(`${file} names a CDN: ${cdn[0]}`);
  const digest = createHash("sha256").update(readFileSync(join(out, file))).digest("hex");
  lines.push(`${file} sha256 ${digest}`);
}
writeFileSync(join(out, "VERSIONS.txt"), `${lines.join("\n")}\n`);

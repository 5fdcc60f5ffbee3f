// TeX to MathML with the pinned KaTeX (package.json), for sharing/rendering/mathml_katex.py.
//
// Runs on the server only, as a child of a renderer process, never in a browser. One request
// per line on stdin, one answer per line on stdout, both JSON:
//   {"doc": 3, "tex": "x^2", "display": false}  ->  {"ok": true, "mathml": "<span ...", "macros": 0}
//                                                ->  {"ok": false, "error": "KaTeX parse error: ..."}
//   {"doc": 3, "batch": [["x^2", false], ...]} -> {"ok": true, "results": [{...}, ...]}
//   (a whole notebook's formulas in one round trip, converted in order)
// Macros defined with \newcommand, \renewcommand or \def stay defined for the following
// formulas of the same "doc" (a notebook, a comment), as MathJax keeps them for a page.
// Exits when stdin closes (its parent is gone).
"use strict";

const path = require("path");
const readline = require("readline");

const katex = require(path.join(process.argv[2], "katex", "dist", "katex.js"));

const REDEFINE = /attempting to redefine (\\[A-Za-z]+|\\.)/;
let doc = null;
let macros = {};

function render(tex, display) {
  const options = {
    output: "mathml",
    displayMode: display,
    throwOnError: true,
    strict: "ignore",
    trust: false,
    globalGroup: true,
    maxExpand: 1000,
    maxSize: 100,
    macros,
  };
  // A notebook may \newcommand a name KaTeX already knows (\R, \C, \N...): in MathJax the
  // notebook's definition wins, so retry with \renewcommand for that name.
  let source = tex;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    try {
      return katex.renderToString(source, options);
    } catch (error) {
      const match = REDEFINE.exec(String(error && error.message));
      if (!match || !source.includes("\\newcommand")) throw error;
      const name = match[1].replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
      const pattern = new RegExp(`\\\\newcommand(\\s*\\{?\\s*)${name}(?![A-Za-z])`);
      const next = source.replace(pattern, "\\renewcommand$1" + match[1]);
      if (next === source) throw error;
      source = next;
    }
  }
  throw new Error("too many redefinitions");
}

const lines = readline.createInterface({ input: process.stdin, terminal: false });
function one(tex, display) {
  try {
    const before = Object.keys(macros).length;
    const mathml = render(String(tex), Boolean(display));
    return { ok: true, mathml, macros: Object.keys(macros).length - before };
  } catch (error) {
    return { ok: false, error: String((error && error.message) || error).slice(0, 300) };
  }
}

lines.on("line", (line) => {
  let answer;
  try {
    const request = JSON.parse(line);
    if (request.doc !== doc) {
      doc = request.doc;
      macros = {};
    }
    if (Array.isArray(request.batch)) {
      answer = { ok: true, results: request.batch.map(([tex, display]) => one(tex, display)) };
    } else {
      answer = one(request.tex, request.display);
    }
  } catch (error) {
    answer = { ok: false, error: String((error && error.message) || error).slice(0, 300) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
lines.on("close", () => process.exit(0));

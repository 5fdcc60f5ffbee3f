"""Benchmark sharing.rendering against plain nbconvert on the project's real-notebook corpus.

    python bench/render.py [CORPUS_DIR]

CORPUS_DIR defaults to var/corpus; the corpus is fetched there first when it is missing
(``corpus/fetch.py``, the pinned list in ``corpus/packages.txt``). Prints, labelled against the
targets of the rendering issue: per-notebook median and p95 time for our renderer and for a
reused ``HTMLExporter(template_name="lab")``, their ratio, peak traced memory, page bytes (our
fragment + CSS files vs nbconvert's standalone HTML) and a generated 14,000-cell notebook
measured in a fresh child process (time and peak RSS).
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CSS_FILES = [
    "static/vendor/nbconvert/theme-light.css",
    "static/vendor/nbconvert/theme-dark.css",
    "static/vendor/nbconvert/index.css",
    "static/vendor/nbconvert/pygments.css",
    "static/css/notebook.css",
]
BIG_CELLS = 14_000
CHART_FILES = {  # what a page with such outputs adds (docs/charts.md), built by `make charts`
    "plotly": "static/vendor/charts/plotly.js",
    "vega": "static/vendor/charts/vega.js",
    "widget": "static/vendor/charts/widgets.js",
}
CHART_PAGE_FILES = ["static/js/charts.js", "static/css/charts.css"]
CHART_FRAME_FILES = [
    "static/js/charts-frame.js",
    "static/css/charts-frame.css",
    "templates/sharing/sandbox_chart.html",
]


def load_corpus(corpus: Path) -> list[tuple[str, object]]:
    import nbformat
    from nbformat.v4.nbbase import random_cell_id

    from corpus.fetch import fetch

    manifest = fetch(corpus)
    notebooks = []
    with manifest.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["valid"] == "no" or row["dup_of"] != "-":
                continue
            text = (corpus / row["path"]).read_text(encoding="utf-8")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                nb = nbformat.reads(text, as_version=4)
                nb.nbformat_minor = max(nb.nbformat_minor, 5)
                for cell in nb.cells:
                    cell.setdefault("id", random_cell_id())
                try:
                    nbformat.validate(nb)
                except nbformat.ValidationError:
                    continue
            notebooks.append((row["path"], nb))
    return notebooks


def timed(function, notebooks) -> tuple[list[float], list[str], list[str]]:
    times, outputs, failures = [], [], []
    for name, nb in notebooks:
        start = time.perf_counter()
        try:
            outputs.append(function(nb))
        except Exception as error:
            failures.append(f"{name}: {type(error).__name__}: {str(error)[:80]}")
            outputs.append("")
            continue
        times.append((time.perf_counter() - start) * 1000)
    return times, outputs, failures


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def big_notebook(cells: int = BIG_CELLS):
    from nbformat.v4 import (
        new_code_cell,
        new_markdown_cell,
        new_notebook,
        new_output,
    )

    nb = new_notebook(metadata={"language_info": {"name": "python"}})
    for i in range(cells):
        if i % 3 == 0:
            nb.cells.append(new_markdown_cell(f"## Step {i}\nSome *text* with `code` and $x_{i}$."))
        else:
            outputs = [
                new_output("stream", name="stdout", text=f"value {i}\n"),
                new_output("execute_result", data={"text/plain": str(i * 2)}, execution_count=i),
            ]
            nb.cells.append(
                new_code_cell(f"x = {i} * 2\nprint(x)", execution_count=i, outputs=outputs)
            )
    return nb


def child_big(which: str, path: str) -> None:
    """Runs in a fresh process: read the generated notebook, render it, print JSON figures."""
    import resource

    import nbformat

    if which == "ours":
        from sharing.rendering.renderer import render_notebook

        render = render_notebook
    else:
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(template_name="lab")

        def render(nb):
            return exporter.from_notebook_node(nb)[0]

    nb = nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4)
    read_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    before = _status_mb("VmRSS")
    _reset_peak_rss()
    start = time.perf_counter()
    html = render(nb)
    seconds = time.perf_counter() - start
    peak = _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"seconds": seconds, "peak_mb": peak, "before_mb": before, "read_peak_mb": read_peak}
    print(json.dumps({**result, "html_mb": len(html) / 1e6}))


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc (Linux), in MB; 0 where unavailable."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _reset_peak_rss() -> None:
    """Reset VmHWM so the peak covers rendering only, not nbformat reading the file."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def run_child(which: str, path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child-big", which, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child-big"]:
        child_big(argv[1], argv[2])
        return
    with_nbconvert_big = "--nbconvert-14k" in argv
    args = [a for a in argv if not a.startswith("--")]
    corpus = Path(args[0]) if args else ROOT / "var" / "corpus"

    from nbconvert import HTMLExporter

    from sharing.rendering.renderer import RENDERER_VERSION, render_notebook

    notebooks = load_corpus(corpus)
    exporter = HTMLExporter(template_name="lab")

    def plain(nb):
        return exporter.from_notebook_node(nb)[0]

    # Warm up both (imports, template compilation, lexer caches) outside the timings.
    render_notebook(notebooks[0][1])
    plain(notebooks[0][1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours_ms, ours_html, ours_fail = timed(render_notebook, notebooks)
        theirs_ms, theirs_html, theirs_fail = timed(plain, notebooks)

    tracemalloc.start()
    for _name, nb in notebooks:
        try:
            render_notebook(nb)
        except Exception:  # noqa: S112 - failures are counted above
            continue
    _, ours_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    css = b"".join((ROOT / p).read_bytes() for p in CSS_FILES if (ROOT / p).exists())
    pairs = [(o, t) for o, t in zip(ours_html, theirs_html, strict=True) if o and t]
    ours_bytes = [len(o.encode()) + len(css) for o, _ in pairs]
    theirs_bytes = [len(t.encode()) for _, t in pairs]
    ours_gz = [len(gzip.compress(o.encode())) + len(gzip.compress(css)) for o, _ in pairs]
    theirs_gz = [len(gzip.compress(t.encode())) for _, t in pairs]
    byte_ratio = statistics.median(o / t for o, t in zip(ours_bytes, theirs_bytes, strict=True))
    gz_ratio = statistics.median(o / t for o, t in zip(ours_gz, theirs_gz, strict=True))

    ratio = statistics.median(ours_ms) / statistics.median(theirs_ms)
    import nbformat

    big_path = ROOT / "var" / "bench-14k.ipynb"
    big_path.parent.mkdir(parents=True, exist_ok=True)
    big_path.write_text(nbformat.writes(big_notebook()), encoding="utf-8")
    big = run_child("ours", big_path)
    print(f"renderer version {RENDERER_VERSION}; corpus {corpus}")
    print(f"notebooks (valid, unique): {len(notebooks)}")
    print(f"  rendered by ours: {len(ours_ms)}  failures: {len(ours_fail)}")
    print(f"  rendered by nbconvert lab: {len(theirs_ms)}  failures: {len(theirs_fail)}")
    for failure in ours_fail + [f"nbconvert: {f}" for f in theirs_fail]:
        print(f"    {failure}")
    print(f"ours       median {statistics.median(ours_ms):7.2f} ms   p95 {p95(ours_ms):7.2f} ms")
    print(
        f"nbconvert  median {statistics.median(theirs_ms):7.2f} ms   p95 {p95(theirs_ms):7.2f} ms"
    )
    verdict = "OK" if ratio <= 1.0 else "MISSED"
    print(f"ratio ours/nbconvert (median): {ratio:.2f}   target <= 1.0: {verdict}")
    print(f"ours peak traced memory over the corpus: {ours_peak / 1e6:.1f} MB")
    print(
        f"CSS files total: {len(css) / 1024:.1f} KiB"
        f" ({len(gzip.compress(css)) / 1024:.1f} KiB gzip)"
    )
    print(
        f"page bytes median: ours (fragment + CSS) {statistics.median(ours_bytes) / 1024:.1f} KiB,"
        f" nbconvert standalone {statistics.median(theirs_bytes) / 1024:.1f} KiB"
    )
    target = "OK" if byte_ratio <= 0.25 else "MISSED"
    print(
        f"page bytes ratio (median per notebook): raw {byte_ratio:.3f}, gzip {gz_ratio:.3f}"
        f"   target <= 0.25 (raw): {target}"
    )
    ok_time = "OK" if big["seconds"] < 10 else "MISSED"
    ok_mem = "OK" if big["peak_mb"] < 400 else "MISSED"
    print(
        f"{BIG_CELLS} small cells, ours (fresh process): {big['seconds']:.2f} s (target < 10 s: "
        f"{ok_time}), peak RSS {big['peak_mb']:.0f} MB (target < 400 MB: {ok_mem};"
        f" {big['before_mb']:.0f} MB RSS before rendering; reading the file with nbformat peaked"
        f" at {big['read_peak_mb']:.0f} MB), HTML {big['html_mb']:.1f} MB"
    )
    chart_figures(notebooks)
    math_bench(corpus)
    if with_nbconvert_big:
        theirs = run_child("nbconvert", big_path)
        print(
            f"{BIG_CELLS} small cells, nbconvert lab: {theirs['seconds']:.2f} s,"
            f" peak RSS while rendering {theirs['peak_mb']:.0f} MB"
        )


def _without_interactive(nb):
    """A copy of the notebook with its interactive bundles' chart types removed (static only)."""
    import copy

    from sharing.rendering.charts.kinds import interactive_mime

    nb = copy.deepcopy(nb)
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
            data = output.get("data") if isinstance(output, dict) else None
            while isinstance(data, dict) and interactive_mime(data):
                del data[interactive_mime(data)]
    return nb


def _size(path: str) -> tuple[int, int]:
    data = (ROOT / path).read_bytes() if (ROOT / path).exists() else b""
    return len(data), len(gzip.compress(data))


def chart_figures(notebooks) -> None:
    """Added page weight and render time of interactive outputs, on the corpus notebooks
    that have them (the issue's reference sizes beside ours)."""
    from sharing.rendering.charts.collect import split_data
    from sharing.rendering.charts.kinds import interactive_mime
    from sharing.rendering.renderer import render_notebook

    def kinds_of(nb) -> set[str]:
        found = set()
        for cell in nb.get("cells", []):
            for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
                data = output.get("data") if isinstance(output, dict) else None
                mime = interactive_mime(data) if isinstance(data, dict) else None
                if mime:
                    found.add(
                        "plotly" if "plotly" in mime else "widget" if "widget" in mime else "vega"
                    )
        return found

    chosen = [(name, nb, kinds_of(nb)) for name, nb in notebooks if kinds_of(nb)]
    print(f"interactive outputs: {len(chosen)} corpus notebooks have them")
    if not chosen:
        return
    for path in CHART_FILES.values():
        if not (ROOT / path).exists():
            print("  (run `make charts` first for the library sizes)")
            break
    for name, nb, kinds in chosen:
        with_ms = min(_timed_once(render_notebook, nb) for _ in range(3))
        static = _without_interactive(nb)
        without_ms = min(_timed_once(render_notebook, static) for _ in range(3))
        html, data = split_data(render_notebook(nb))
        static_html = render_notebook(static)
        libraries = [_size(CHART_FILES[kind]) for kind in sorted(kinds)]
        page = [_size(p) for p in CHART_PAGE_FILES]
        frame = [_size(p) for p in CHART_FRAME_FILES]
        raw = sum(r for r, _ in libraries + page + frame)
        gz = sum(g for _, g in libraries + page + frame)
        print(
            f"  {name[:60]} ({', '.join(sorted(kinds))}): render {with_ms:.1f} ms with,"
            f" {without_ms:.1f} ms without; HTML {len(html) / 1e3:.0f} KB + chart data"
            f" {len(data) / 1e3:.0f} KB (static-only page {len(static_html) / 1e3:.0f} KB);"
            f" added once per page view: {raw / 1e6:.2f} MB raw / {gz / 1e6:.2f} MB gzip"
            f" (libraries, page and frame scripts; frame document and frame script per chart:"
            f" {sum(r for r, _ in frame) / 1e3:.1f} KB)"
        )
    for kind, path in CHART_FILES.items():
        raw, gz = _size(path)
        print(f"  library {kind}: {raw / 1e6:.2f} MB raw / {gz / 1e6:.2f} MB gzip")
    print(
        "  reference (issue): plotly.js strict 5.0 MB / 1.5 MB, vega 509 / 175 KB +"
        " vega-lite 252 / 80 KB, html-manager embed.js 1.8 MB / 445 KB; a naive frame per chart"
        " downloads the library once per chart (20 charts: 20 x 1.5 MB gzip), ours once per page"
        " view (tests/e2e/test_charts.py counts it and prints the time to the first chart)"
    )


def _timed_once(function, nb) -> float:
    started = time.perf_counter()
    function(nb)
    return (time.perf_counter() - started) * 1000


# The defaults of notebookshare/settings.py (RENDER_INLINE_SECONDS, RENDER_MEMORY_LIMIT_MB).
INLINE_BUDGET_SECONDS = 10
RENDER_MEMORY_MB = 2048
MATH_HEAVY = ("variational-inference.ipynb", "demo.ipynb", "Line_breaks_in_LateX_305.ipynb")


def math_bench(corpus: Path) -> None:
    """Math: the math-heavy notebooks rendered as uploads render them, each in a fresh budget
    child (so including the start of its KaTeX process), against the inline render budget."""
    import re

    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from sharing.rendering.child import render_isolated

    paths = [p for name in MATH_HEAVY for p in sorted(corpus.glob(f"nb/**/{name}"))]
    plain = new_notebook(cells=[new_markdown_cell("# No math\ntext"), new_code_cell("x = 1")])
    plain_data = nbformat.writes(plain).encode()
    reference = []
    for _ in range(3):
        start = time.perf_counter()
        render_isolated(plain_data, INLINE_BUDGET_SECONDS, RENDER_MEMORY_MB)
        reference.append(time.perf_counter() - start)
    print(
        "math (KaTeX in each budget child),"
        f" budget RENDER_INLINE_SECONDS {INLINE_BUDGET_SECONDS} s; reference: a notebook"
        f" without math in a budget child, {min(reference) * 1000:.0f} ms best of 3:"
    )
    for path in paths:
        data = path.read_bytes()
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            outcome = render_isolated(data, INLINE_BUDGET_SECONDS, RENDER_MEMORY_MB)
            runs.append(time.perf_counter() - start)
        formulas = len(re.findall(r"<math\b", outcome.text)) if outcome.ok else 0
        best = min(runs)
        verdict = "OK" if outcome.ok and max(runs) < INLINE_BUDGET_SECONDS else "MISSED"
        print(
            f"  {path.name}: {formulas} formulas, {best * 1000:.0f} ms best of 3"
            f" ({max(runs) * 1000:.0f} ms worst), budget {INLINE_BUDGET_SECONDS} s: {verdict}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])

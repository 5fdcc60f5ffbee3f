"""Imported by the budget's fork server only (``sharing.budget.PRELOAD``): checks and renders a
small notebook and a comment once, so that the lazily built parts (nbformat's schema
validators, Pygments lexers, the Markdown parsers, latex2mathml's tables) exist before any child
is forked, and each child starts warm. Touches no Django settings and no database."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sharing.comments.markdown import render_body
from sharing.ingest import validate_notebook
from sharing.rendering import mathml_katex
from sharing.rendering.child import render_bytes


def _sample() -> bytes:
    outputs = [
        new_output("stream", name="stdout", text="1\n"),
        new_output("execute_result", data={"text/plain": "2", "text/html": "<b>2</b>"}),
        new_output("error", ename="E", evalue="e", traceback=["\x1b[31mE\x1b[0m"]),
    ]
    cells = [
        new_markdown_cell("# Title\n*text* $x^2$ $$\\frac{a}{b}$$ [link](https://example.org)"),
        new_code_cell("x = 1\nprint(x)", outputs=outputs, execution_count=1),
    ]
    nb = new_notebook(cells=cells, metadata={"language_info": {"name": "python"}})
    return nbformat.writes(nb).encode()


def warm() -> None:
    data = _sample()
    validate_notebook(data, "warm.ipynb", 10)
    render_bytes(data)
    render_body("**warm** `code`\n\n```python\nx = 1\n```\n\n- a\n- b", {})
    mathml_katex.stop()  # each child starts its own KaTeX process


warm()

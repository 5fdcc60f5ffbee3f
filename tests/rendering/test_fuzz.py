"""A fuzz pass: generated Markdown, LaTeX, comment bodies and notebook JSON go through the real
check and renderer within their budgets: each ends in HTML or a clear refusal, never a hang,
an unexpected exception or a 500."""

from __future__ import annotations

import json

import nbformat
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sharing.budget import run_within_budget
from sharing.comments.markdown import render_body
from sharing.ingest import NotebookRejected, Upload
from sharing.models import Notebook
from sharing.rendering.child import render_isolated

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
MARKUP = "$\\{}[]()^_&#*`~<>!|-=+%:;\"' \n\tabcxyz019\u03b1\u03b2\u2211"
markup_text = st.text(alphabet=MARKUP, max_size=3000)
tex = st.lists(
    st.sampled_from(
        [r"\frac", r"\begin{align}", r"\end{align}", r"\\", "&", "{", "}", "^", "_", "x",
         r"\sqrt", r"\left(", r"\right)", "$", "$$", r"\text{", r"\mathbb{R}", r"\over", " "]
    ),
    max_size=400,
).map("".join)  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=10), children, max_size=6)
    ),
    max_leaves=40,
)


def _render(nb) -> None:
    outcome = render_isolated(nbformat.writes(nb).encode(), timeout=30, memory_mb=512)
    if outcome.ok:
        assert 'class="jp-Notebook' in outcome.text or "data-cell-index" in outcome.text
        assert "<script" not in outcome.text
    else:
        assert outcome.text  # a message for the reader


@FUZZ
@given(source=markup_text)
def test_markdown_cells_render_or_fail_clearly(source):
    _render(new_notebook(cells=[new_markdown_cell(source)]))


@FUZZ
@given(formula=tex)
def test_latex_in_markdown_and_outputs_renders_or_fails_clearly(formula):
    output = new_output("execute_result", data={"text/latex": formula, "text/plain": "x"})
    _render(
        new_notebook(
            cells=[
                new_markdown_cell(f"${formula}$ and $${formula}$$"),
                new_code_cell("x", outputs=[output], execution_count=1),
            ]
        )
    )


@FUZZ
@given(body=markup_text)
def test_comment_bodies_render_within_the_budget(body):
    rendered = run_within_budget(render_body, body, {}, seconds=30, memory_mb=256)
    assert "<script" not in rendered.html


@FUZZ
@given(value=json_values, nbformat_version=st.sampled_from([None, 2, 3, 4, 5, "4"]))
def test_any_json_is_a_notebook_or_a_clear_refusal(value, nbformat_version):
    document = value if isinstance(value, dict) else {"cells": value}
    if nbformat_version is not None:
        document["nbformat"] = nbformat_version
        document.setdefault("nbformat_minor", 4)
    try:
        upload = Upload.from_bytes("fuzz.ipynb", json.dumps(document).encode())
    except NotebookRejected as refused:
        assert refused.message and refused.code
    else:
        assert upload.validated.cell_count >= 0


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=2000) | json_values.map(lambda v: json.dumps(v).encode()))
def test_uploading_anything_answers_with_a_page_never_a_500(client, alice, tmp_media, data):
    client.force_login(alice)
    before = Notebook.objects.count()
    file = SimpleUploadedFile("fuzz.ipynb", data)
    response = client.post(reverse("sharing:upload"), {"file": file})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert Notebook.objects.count() == before

"""Validation of uploaded bytes, independent of the web layer."""

import json

import nbformat
import pytest

from sharing.ingest import NotebookRejected, check_filename, validate_notebook
from tests.conftest import notebook_bytes, raw_json


def rejected(data: bytes, name: str = "x.ipynb") -> NotebookRejected:
    with pytest.raises(NotebookRejected) as info:
        validate_notebook(data, name)
    return info.value


def test_valid_notebook_is_normalised_to_4_5_with_stable_ids():
    result = validate_notebook(notebook_bytes(), "a.ipynb")
    assert (result.notebook.nbformat, result.notebook.nbformat_minor) == (4, 5)
    assert all(cell.id for cell in result.notebook.cells)
    reread = nbformat.reads(result.normalized_bytes.decode(), 4)
    assert [c.id for c in reread.cells] == [c.id for c in result.notebook.cells]


def test_nbformat_4_4_notebook_gets_cell_ids():
    nb = json.loads(notebook_bytes())
    nb["nbformat_minor"] = 4
    for cell in nb["cells"]:
        del cell["id"]
    result = validate_notebook(raw_json(nb), "old.ipynb")
    assert result.source_nbformat == "4.4"
    assert result.notebook.nbformat_minor == 5
    assert len({c.id for c in result.notebook.cells}) == len(nb["cells"])


def test_nbformat_3_is_upgraded_to_4_5():
    v3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": "legacy"},
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "markdown", "source": "# Old", "metadata": {}},
                    {
                        "cell_type": "code",
                        "input": "1 + 1",
                        "language": "python",
                        "outputs": [],
                        "metadata": {},
                    },
                ],
                "metadata": {},
            }
        ],
    }
    result = validate_notebook(raw_json(v3), "legacy.ipynb")
    assert result.source_nbformat == "3.0"
    assert (result.notebook.nbformat, result.notebook.nbformat_minor) == (4, 5)
    assert [c.cell_type for c in result.notebook.cells] == ["markdown", "code"]


def test_title_comes_from_metadata_then_file_name():
    assert validate_notebook(notebook_bytes(title="Churn"), "x.ipynb").suggested_title == "Churn"
    assert validate_notebook(notebook_bytes(), "Q3 report.ipynb").suggested_title == "Q3 report"


def test_invalid_json_names_line_and_column():
    error = rejected(b'{\n  "nbformat": 4,\n  oops\n}')
    assert error.code == "invalid_json"
    assert error.message == "This file is not a notebook: invalid JSON at line 3, column 3."


def test_not_utf8_is_rejected():
    error = rejected(b'{"nbformat": 4, "x": "\xff\xfe"}')
    assert error.code == "invalid_encoding"
    assert "not UTF-8" in error.message


def test_json_that_is_not_a_notebook():
    assert rejected(b"[1, 2, 3]").code == "not_a_notebook"
    assert rejected(b'{"hello": "world"}').code == "not_a_notebook"


def test_nbformat_2_is_too_old():
    error = rejected(raw_json({"nbformat": 2, "nbformat_minor": 0, "worksheets": []}))
    assert error.code == "unsupported_version"
    assert "too old" in error.message


def test_unknown_minor_version_is_rejected_even_if_schema_would_pass():
    nb = json.loads(notebook_bytes())
    nb["nbformat_minor"] = 99
    nb["cells"].append({"cell_type": "weird", "id": "w", "source": "", "metadata": {}})
    error = rejected(raw_json(nb))
    assert error.code == "unsupported_version"
    assert "4.99" in error.message


def test_schema_error_names_the_first_problem():
    nb = json.loads(notebook_bytes())
    nb["cells"][1]["cell_type"] = "banana"
    error = rejected(raw_json(nb))
    assert error.code == "invalid_schema"
    assert error.message.startswith("This file is not a valid notebook:")
    assert "cells/1" in error.message


def test_deeply_nested_json_is_rejected_cleanly():
    error = rejected(b"[" * 100_000 + b"]" * 100_000)
    assert error.code == "too_deep"


def test_deeply_nested_metadata_is_rejected_cleanly():
    nb = json.loads(notebook_bytes())
    data = json.dumps(nb).replace(
        '"metadata": {}', '"metadata": {"a": ' + "[" * 5000 + "]" * 5000 + "}", 1
    )
    error = rejected(data.encode())
    assert error.code == "too_deep"


def test_empty_file():
    assert rejected(b"").code == "empty"


def test_file_over_size_limit(settings):
    settings.MAX_UPLOAD_BYTES = 100
    error = rejected(notebook_bytes())
    assert error.code == "too_large"
    assert "limit is 100 bytes" in error.message


def test_too_many_cells(settings):
    settings.MAX_NOTEBOOK_CELLS = 5
    error = rejected(notebook_bytes(cells=6))
    assert error.code == "too_many_cells"
    assert error.message == "The notebook has 6 cells; the limit is 5."


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("notes.txt", "bad_extension"),
        ("notebook.ipynb.exe", "bad_extension"),
        ("../../etc/passwd.ipynb", "bad_name"),
        ("dir\\evil.ipynb", "bad_name"),
        ("bad\x07name.ipynb", "bad_name"),
        ("new\nline.ipynb", "bad_name"),
        ("", "bad_name"),
        ("a" * 300 + ".ipynb", "bad_name"),
    ],
)
def test_bad_file_names(name, code):
    with pytest.raises(NotebookRejected) as info:
        check_filename(name)
    assert info.value.code == code


def test_odd_but_harmless_names_are_fine():
    assert check_filename("Résumé ~ 2026 (final) 📈.IPYNB")

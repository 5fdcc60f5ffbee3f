"""Reading the search box (pure functions: no database)."""

from __future__ import annotations

import pytest

from sharing.search.highlight import excerpt
from sharing.search.query import QueryTooLong, fts5_match, parse, tsquery
from sharing.search.tokens import tokenise


def test_identifiers_give_their_parts_and_whole():
    assert tokenise("pd.read_csv(path)") == ["pd", "read", "csv", "read_csv", "pd_read_csv", "path"]
    assert tokenise("trainTestSplit") == ["train", "test", "split", "train_test_split"]


def test_words_phrases_exclusions_and_operators():
    query = parse('pandas "import numpy" -spark -"big data" owner:alice in:code')
    assert query.terms == ["pandas"]
    assert query.phrases == [["import", "numpy"]]
    assert query.excluded == [["spark"], ["big", "data"]]
    assert (query.owner, query.kinds) == ("alice", ("code",))
    assert tsquery(query) == "'pandas' & ('import' <-> 'numpy') & !'spark' & !('big' <-> 'data')"
    assert fts5_match(query) == '(("pandas" AND "import numpy") NOT "spark") NOT "big data"'


def test_a_compound_word_matches_its_whole():
    assert parse("pd.read_csv").terms == ["pd_read_csv"]
    assert parse("read_csv").terms == ["read_csv"]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ('unbalanced "quote', ["unbalanced", "quote"]),
        ("& | ! : * ( )", []),
        ("foo:bar", ["foo", "bar"]),  # an unknown operator is two words
        ("in:nowhere", ["nowhere"]),
        ("x' OR 1=1 --", ["x", "1"]),
        ("'); DROP TABLE x; --", ["drop", "table", "x"]),
        ("日本語 текст 😀", ["日本語", "текст"]),
        ("nul\x00byte", ["nul", "byte"]),
    ],
)
def test_bad_syntax_falls_back_to_plain_words(text, terms):
    assert parse(text).terms == terms


def test_stop_words_alone_leave_nothing_to_search():
    query = parse("the and of")
    assert query.is_empty and query.dropped_common == ["the", "and", "of"]
    assert not parse('"the end"').is_empty  # inside a phrase they count


def test_the_query_languages_never_see_raw_input():
    query = parse('a\'b "c\\"d" e)f')
    for language in (tsquery(query), fts5_match(query)):
        assert "\\" not in language and ")f" not in language


def test_a_query_too_long_is_refused():
    with pytest.raises(QueryTooLong):
        parse("x" * 10_000)


def test_excerpts_are_escaped_and_marked():
    found = excerpt("<script>alert(1)</script> uses read_csv here", frozenset({"read_csv"}))
    assert "<script>" not in found.html
    assert "&lt;script&gt;" in found.html
    assert "<mark>read_csv</mark>" in found.html
    start, end = found.spans[0]
    assert found.text[start:end] == "read_csv"


def test_a_long_text_is_cut_around_the_first_match():
    text = "filler " * 500 + "needle " + "more " * 500
    found = excerpt(text, frozenset({"needle"}))
    assert found.text.startswith("…") and found.text.endswith("…")
    assert "<mark>needle</mark>" in found.html

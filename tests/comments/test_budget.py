"""Comment bodies are untrusted: their Markdown renders within the comment budget, code fences
choose among a few lexers only, and a body past the budget is refused with nothing saved."""

from __future__ import annotations

import pytest
from django.urls import reverse
from pygments.lexers import get_all_lexers

from sharing.comments.markdown import MAX_HIGHLIGHTED_BLOCKS, render_body
from sharing.grants import set_user_role
from sharing.models import Comment, CommentThread
from sharing.rendering.markup import LEXER_ALIASES, _lexer
from tests.comments.test_threads import _notebook

# Formatting this body takes about 0.15 s on a 2-core machine: several times the budget that
# ``tight_budget`` sets (and longer than the default longest comment, which it raises).
SLOW_BODY = "[a](" * 10_000


def tight_budget(settings) -> None:
    settings.COMMENT_MAX_LENGTH = len(SLOW_BODY)
    settings.COMMENT_RENDER_SECONDS = 0.02


pytestmark = pytest.mark.django_db

# A Pygments lexer that never finished on these four characters (a 20-character comment).
LOOPING_FENCE = "```mcschema\n<!--\n```"


@pytest.fixture
def shared(alice, bob, make_notebook):
    notebook = make_notebook(alice, data=_notebook(3), title="Budget")
    set_user_role(notebook, bob, "commenter")
    return notebook


def _post(client, notebook, body: str):
    url = reverse("sharing:version-comments", args=[notebook.pk, 1])
    return client.post(url, {"cell_id": "c1", "body": body}, HTTP_ACCEPT="application/json")


def test_no_lexer_outside_the_allowlist_is_ever_used():
    allowed = {type(_lexer(name)).__name__ for name in LEXER_ALIASES}
    every_alias = {alias for _, aliases, _, _ in get_all_lexers() for alias in aliases}
    outside = sorted(every_alias - set(LEXER_ALIASES))
    assert len(outside) > 400  # most of Pygments is out of reach
    for alias in outside:
        assert type(_lexer(alias)).__name__ in allowed | {"TextLexer"}, alias
        if type(_lexer(alias)).__name__ != "TextLexer":
            # only an allowlisted lexer class, reached through an allowlisted name
            assert alias in LEXER_ALIASES


def test_a_fence_naming_a_looping_lexer_is_plain_text_and_the_comment_is_saved(client, shared, bob):
    client.force_login(bob)
    response = _post(client, shared, LOOPING_FENCE)
    assert response.status_code == 201
    comment = Comment.objects.get()
    assert "&lt;!--" in comment.body_html
    assert 'class="highlight hl-text"' in comment.body_html


@pytest.mark.parametrize(
    "language", ["mcschema", "Python", "ipython3", "../../etc", "a" * 500, "text", "", "🐍"]
)
def test_any_fence_language_renders(language):
    html = render_body(f"```{language}\nx = 1 < 2\n```").html
    assert "x" in html
    assert "&lt;" in html


def test_only_the_first_code_blocks_are_highlighted():
    body = "\n\n".join(f"```python\nx = {i}\n```" for i in range(MAX_HIGHLIGHTED_BLOCKS + 5))
    html = render_body(body).html
    assert html.count("hl-python") == MAX_HIGHLIGHTED_BLOCKS
    assert html.count("hl-text") == 5


def test_a_body_past_the_comment_budget_is_refused_and_nothing_is_saved(
    client, shared, bob, settings
):
    tight_budget(settings)
    client.force_login(bob)
    response = _post(client, shared, SLOW_BODY)
    assert response.status_code == 400
    error = response.json()["errors"]["body"][0]
    assert error["code"] == "too_complex"
    assert error["message"].startswith("This comment cannot be shown: formatting it took longer")
    assert not CommentThread.objects.exists()
    assert not Comment.objects.exists()


def test_a_reply_past_the_budget_is_refused_through_the_api_too(client, shared, bob, settings):
    client.force_login(bob)
    assert _post(client, shared, "First").status_code == 201
    thread = CommentThread.objects.get()
    tight_budget(settings)
    response = client.post(
        f"/api/v1/threads/{thread.pk}/replies",
        {"body": SLOW_BODY},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_complex"
    assert Comment.objects.count() == 1

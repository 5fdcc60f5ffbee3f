"""``{{ when|ago }}``: the date in the markup (true however long a page is kept), marked for
the page script to show relative to now."""

from __future__ import annotations

from datetime import UTC, datetime

from django.template import engines


def render(text: str, **context) -> str:
    return engines["django"].from_string("{% load dates %}" + text).render(context)


def test_a_time_is_its_date_marked_for_the_page_script(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    when = datetime(2026, 12, 7, 6, 48, 5, tzinfo=UTC)
    assert render("{{ when|ago }}", when=when) == (
        '<time datetime="2026-12-07T07:48:05+01:00" data-ago>7 Dec 2026, 07:48</time>'
    )


def test_no_time_is_nothing():
    assert render("[{{ when|ago }}]", when=None) == "[]"

"""``{{ when|ago }}``: a time as a date in the markup, shown relative to now by the page script.

The markup never says "5 minutes ago" itself: a page kept by the memo or revalidated with a
``304`` would go on saying it. The date it holds stays true; ``static/js/app.js`` turns every
``time[data-ago]`` into "3 hours ago" (the date in its title) and keeps it current.
"""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.timezone import localtime

register = template.Library()

SHOWN = "j M Y, H:i"  # 7 Dec 2026, 07:48: what is read without JavaScript


@register.filter
def ago(when: datetime | None) -> str:
    if when is None:
        return ""
    when = localtime(when)
    return format_html(
        '<time datetime="{}" data-ago>{}</time>', when.isoformat(), format_date(when, SHOWN)
    )

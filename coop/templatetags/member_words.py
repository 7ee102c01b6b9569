"""Template filters for words that agree with a member's sex (coop/wording.py)."""

from django import template

from coop.wording import status_word as _status_word

register = template.Library()


@register.filter
def status_word(value, sex=None):
    """``{{ member|status_word }}``, or ``{{ change.status|status_word:member.sex }}``."""
    if sex is None and hasattr(value, "status"):
        return _status_word(value.status, getattr(value, "sex", ""))
    return _status_word(str(value), sex or "")

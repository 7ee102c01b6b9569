"""Helpers every app's views use: refusals as messages, errors by field, dates and tokens from forms,
the filters a paged list carries."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from toolkit.dates import parse_typed_date


def query_without_page(request) -> str:
    """The list's filters as a query string, for the pagination links to carry (the page number apart)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def refused(request, exc: ValidationError, about: str = "") -> None:
    """A refused action on a page that redirects: each reason as an error message."""
    for problem in exc.messages:
        if about:
            problem = _("%(about)s: %(problem)s") % {"about": about, "problem": problem}
        messages.error(request, problem)


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    """A service's refusal by field; one raised without fields (e.g. by the ledger) goes under __all__."""
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def date_or_none(value):
    """A date typed in a form (dd/mm/aaaa or ISO), or None."""
    return parse_typed_date(value)


def token_or_none(value) -> uuid.UUID | None:
    """A UUID typed or sent as text (a form's one-time submission token, so a resent form records nothing
    twice; a verification key in a URL), or None if the text is not one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None

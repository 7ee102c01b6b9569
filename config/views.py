import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.dateparse import parse_date

from config.roles import public


@public
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def query_without_page(request) -> str:
    """The list's filters as a query string, for the pagination links to carry (the page number apart)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


# --- Helpers every app's views use -------------------------------------------------


def refused(request, exc: ValidationError, about: str = "") -> None:
    """A refused action on a page that redirects: each reason as an error message."""
    for problem in exc.messages:
        messages.error(request, f"{about}: {problem}" if about else problem)


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    """A service's refusal by field; one raised without fields (e.g. by the ledger) goes under __all__."""
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def date_or_none(value):
    try:
        return parse_date(value or "")
    except ValueError:
        return None


def token_or_none(value) -> uuid.UUID | None:
    """A form's one-time submission token (so a resent form records nothing twice), or None."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None

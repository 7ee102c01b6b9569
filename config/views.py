from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

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

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from config.health import health_report
from toolkit.roles import public


@public
@never_cache
def health(request):
    """For monitors and the reverse proxy (config/health.py): 200 when healthy, 503 naming what is not."""
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@public
def favicon(request):
    """Browsers ask for /favicon.ico where a page names no icon (a PDF, a file): send them the SVG."""
    return HttpResponseRedirect(static("favicon.svg"))


# --- Error pages: in Spanish, in Minka's look, each with a way on ----------------------------------


@requires_csrf_token
def page_not_found(request, exception=None):
    """handler404, and with DEBUG on config.middleware.NotFoundPageMiddleware. The exception's text is
    not shown: Django's own (get_object_or_404) is in English and names models."""
    return render(request, "404.html", status=404)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent with a stale or missing token (an old tab, cookies blocked)."""
    return render(request, "403.html", {"csrf_failed": True}, status=403)


def _standalone(request, template_name: str, status: int):
    """A page made without the request's context processors or the database, which may be what failed.
    Its one inline style carries the request's Content-Security-Policy nonce (toolkit/security.py)."""
    context = {"home_url": reverse("home"), "csp_nonce": getattr(request, "csp_nonce", "")}
    return HttpResponse(loader.get_template(template_name).render(context), status=status)


def bad_request(request, exception=None):
    return _standalone(request, "400.html", 400)


def server_error(request):
    return _standalone(request, "500.html", 500)

"""Minka's «página no encontrada» whatever DEBUG says.

With DEBUG off Django answers a missing page with ``handler404`` (config.views.page_not_found). With
DEBUG on it shows instead its technical page (the URL patterns tried, in English), and has no setting
to change that. Minka runs with DEBUG on wherever ``quickstart`` serves it, so the cooperative would see
that page; this middleware gives it Minka's page there too. Server errors (500) are left to Django's
technical page with DEBUG on: its traceback is what whoever runs Minka in development needs.
"""

from django.conf import settings
from django.http import Http404

from config.views import page_not_found


class NotFoundPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            # No URL matched: Django made its technical page from the Resolver404. A view that
            # answers 404 itself (a verification page for an unknown code) has a resolver_match.
            return page_not_found(request)
        return response

    def process_exception(self, request, exception):
        # A view raised Http404 (get_object_or_404 …): Django would make its technical page next.
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None

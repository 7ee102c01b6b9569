from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from acopio import views as acopio_views
from api import v1_urls
from api import views as api_views
from assemblies import views as assembly_views
from certification import views as certification_views
from config import pages, views
from toolkit.roles import public
from toolkit.understood import understood_number
from toolkit.verification import PAPER_VERIFY_PATH

pages.register_sections()

urlpatterns = [
    path("", pages.home, name="home"),
    path("cuenta/", include("config.account_urls")),
    path("i18n/idioma/", public(set_language), name="set_language"),
    path("salud/", views.health, name="health"),
    path("numero/", understood_number, name="understood_number"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("padron/", include("coop.urls")),
    path("", include("acopio.urls")),
    path("", include("ledger.urls")),
    path("", include("sales.urls")),
    path("", include("fund.urls")),
    path("asambleas/", include("assemblies.urls")),
    # The voting booth: the only pages a browser holding a booth's token opens (assemblies/booth.py).
    path("cabina/", include("assemblies.booth_urls")),
    # Members who take part from home, with their DNI and voting code (assemblies/remote.py).
    path("asamblea-virtual/", include("assemblies.remote_urls")),
    path("certificacion/", include("certification.urls", namespace="certification")),
    # Public: what anyone holding a receipt or document checks. A key that is not a key is answered
    # by each page's «no existe» (404), so the keys are taken as text here and read by the views.
    path(PAPER_VERIFY_PATH.lstrip("/"), certification_views.paper_verify, name="paper_verify"),
    path("verificar/recibo/<str:key>/", acopio_views.receipt_verify, name="receipt_verify"),
    path("verificar/acta/<str:key>/", assembly_views.minutes_verify, name="minutes_verify"),
    path("verificar/documento/<str:key>/", certification_views.document_verify, name="document_verify"),
    # The institutions' read-only API (api/): its data dictionary, then the API behind Bearer keys;
    # administration's pages for its clients, keys, call log and the members' consent.
    path("api/v1/diccionario/", api_views.dictionary, name="api_dictionary"),
    path("api/v1/", include((v1_urls.urlpatterns, "api"), namespace="api")),
    path("instituciones/", include("api.urls")),
    path("admin/", admin.site.urls),
]
handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

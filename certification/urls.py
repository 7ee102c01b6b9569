from django.urls import path

from certification import inclusion_views, views

app_name = "certification"
urlpatterns = [
    path("", views.portal, name="portal"),
    path("descargas/", views.download_log, name="download_log"),
    path("inclusion/", inclusion_views.inclusion_page, name="inclusion"),
    path("inclusion/socios/", inclusion_views.inclusion_members, name="inclusion_members"),
    path("inclusion/inclusion.xlsx", inclusion_views.inclusion_xlsx, name="inclusion_xlsx"),
    path("inclusion/tramos-de-edad/", inclusion_views.inclusion_bands, name="inclusion_bands"),
    path(
        "socios/<str:code>/estado-de-cuenta/<str:season>.pdf",
        views.member_statement_pdf,
        name="member_statement_pdf",
    ),
    path("campanas/<str:season>/fondo-de-prima.pdf", views.fund_report_pdf, name="fund_report_pdf"),
    path("campanas/<str:season>/informe.pdf", views.season_report_pdf, name="season_report_pdf"),
    path("campanas/<str:season>/paquete-de-auditoria/", views.audit_pack_start, name="audit_pack_start"),
    path("paquetes/<int:pack>/", views.audit_pack_run, name="audit_pack_run"),
    path("paquetes/<int:pack>/paquete.zip", views.audit_pack_zip, name="audit_pack_zip"),
    path("campanas/<str:season>/comercio-justo.xlsx", views.fairtrade_xlsx, name="fairtrade_xlsx"),
    path("campanas/<str:season>/eudr.geojson", views.eudr_season, name="eudr_season"),
    path("lotes/<str:lot>/eudr.geojson", views.eudr_lot, name="eudr_lot"),
    path("campanas/<str:season>/imprimir-estados/", views.statement_run_start, name="statement_run_start"),
    path("impresiones/<int:pk>/", views.statement_run, name="statement_run"),
    path("impresiones/<int:pk>/reanudar/", views.statement_run_resume, name="statement_run_resume"),
    path("impresiones/<int:pk>/todos.zip", views.statement_run_file, name="statement_run_zip"),
    path("impresiones/<int:pk>/<str:code>.pdf", views.statement_run_file, name="statement_run_file"),
    path(
        "impresiones/<int:pk>/comunidades/<str:batch>.pdf",
        views.statement_run_file,
        name="statement_run_batch",
    ),
]

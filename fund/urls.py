from django.urls import path

from fund import views

app_name = "fund"
urlpatterns = [
    path("fondo-prima/", views.fund_overview, name="fund_overview"),
    path("fondo-prima/cambio/", views.premium_conversion, name="premium_conversion"),
    path("fondo-prima/plan/nueva-linea/", views.budget_line_new, name="budget_line_new"),
    path("fondo-prima/plan/<str:season>/", views.plan, name="plan"),
    path("fondo-prima/plan/<str:season>/avance.pdf", views.plan_progress_pdf, name="plan_progress_pdf"),
    path(
        "fondo-prima/actividades/<int:pk>/avance/", views.activity_progress_new, name="activity_progress_new"
    ),
    path("fondo-prima/gastos/nuevo/", views.spending_new, name="spending_new"),
    path("fondo-prima/gastos/<int:pk>/", views.spending_detail, name="spending_detail"),
    path("fondo-prima/gastos/<int:pk>/aprobar/", views.spending_approve, name="spending_approve"),
    path("fondo-prima/gastos/<int:pk>/rechazar/", views.spending_reject, name="spending_reject"),
    path("fondo-prima/gastos/<int:pk>/revertir/", views.spending_reverse, name="spending_reverse"),
]

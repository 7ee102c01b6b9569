from django.urls import path

from sales import views

app_name = "sales"
urlpatterns = [
    path("ventas/lotes/", views.lot_list, name="lot_list"),
    path("ventas/lotes/nuevo/", views.lot_new, name="lot_new"),
    path("ventas/contratos/", views.contract_list, name="contract_list"),
    path("ventas/contratos/nuevo/", views.contract_new, name="contract_new"),
    path("ventas/contratos/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("ventas/contratos/<int:pk>/enmienda/", views.contract_amend, name="contract_amend"),
    path("ventas/contratos/<int:pk>/embarcar/", views.contract_ship, name="contract_ship"),
    path("ventas/contratos/<int:pk>/fijar-precio/", views.contract_fix, name="contract_fix"),
    path("ventas/contratos/<int:pk>/facturar/", views.contract_invoice, name="contract_invoice"),
    path("ventas/contratos/<int:pk>/cobrar/", views.contract_payment, name="contract_payment"),
    path("ventas/balance-de-masas/", views.mass_balance_report, name="mass_balance"),
    path("ventas/comercio-justo/", views.terms_overview, name="terms"),
    path("ventas/comercio-justo/revisada/", views.terms_checked, name="terms_checked"),
]

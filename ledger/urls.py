from django.urls import path

from ledger import fund_views, views

app_name = "ledger"
urlpatterns = [
    path("acopio/", views.delivery_new, name="delivery_new"),
    path("acopio/calcular/", views.delivery_quote, name="delivery_quote"),
    path("acopio/buscar-socio/", views.member_lookup, name="member_lookup"),
    path("acopio/importar/", views.delivery_import, name="delivery_import"),
    path("acopio/entregas/", views.delivery_list, name="delivery_list"),
    path("acopio/control-rendimiento/", views.yield_control, name="yield_control"),
    path("acopio/recibos/<str:receipt>/", views.delivery_detail, name="delivery_detail"),
    path("acopio/recibos/<str:receipt>/<str:size>.pdf", views.delivery_receipt_pdf,
         name="delivery_receipt_pdf"),
    path("acopio/recibos/<str:receipt>/anular/", views.delivery_void, name="delivery_void"),
    path("cuentas/<str:code>/movimiento/", views.movement_new, name="movement_new"),
    path("ventas/lotes/", views.lot_list, name="lot_list"),
    path("ventas/lotes/nuevo/", views.lot_new, name="lot_new"),
    path("ventas/contratos/", views.contract_list, name="contract_list"),
    path("ventas/contratos/nuevo/", views.contract_new, name="contract_new"),
    path("ventas/contratos/<int:pk>/facturar/", views.contract_invoice, name="contract_invoice"),
    path("ventas/contratos/<int:pk>/cobrar/", views.contract_payment, name="contract_payment"),
    path("ventas/balance-de-masas/", views.mass_balance_report, name="mass_balance"),
    path("fondo-prima/", fund_views.fund_overview, name="fund_overview"),
    path("fondo-prima/cambio/", fund_views.premium_conversion, name="premium_conversion"),
    path("fondo-prima/plan/nueva-linea/", fund_views.budget_line_new, name="budget_line_new"),
    path("fondo-prima/gastos/nuevo/", fund_views.spending_new, name="spending_new"),
    path("fondo-prima/gastos/<int:pk>/", fund_views.spending_detail, name="spending_detail"),
    path("fondo-prima/gastos/<int:pk>/aprobar/", fund_views.spending_approve, name="spending_approve"),
    path("fondo-prima/gastos/<int:pk>/rechazar/", fund_views.spending_reject, name="spending_reject"),
    path("fondo-prima/gastos/<int:pk>/revertir/", fund_views.spending_reverse, name="spending_reverse"),
    path("cuentas/<str:code>/movimiento/<int:pk>/anular/", views.movement_reverse, name="movement_reverse"),
]

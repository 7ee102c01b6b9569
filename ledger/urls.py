from django.urls import path

from ledger import views

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
    path("cuentas/<str:code>/movimiento/<int:pk>/anular/", views.movement_reverse, name="movement_reverse"),
]

from django.urls import path

from acopio import views

app_name = "acopio"
urlpatterns = [
    path("acopio/", views.delivery_new, name="delivery_new"),
    path("acopio/no-socio/", views.purchase_new, name="purchase_new"),
    path("acopio/proveedores/", views.supplier_list, name="supplier_list"),
    path("acopio/proveedores/nuevo/", views.supplier_new, name="supplier_new"),
    path("acopio/proveedores/<str:document>/", views.supplier_detail, name="supplier_detail"),
    path("acopio/calcular/", views.delivery_quote, name="delivery_quote"),
    path("acopio/buscar-socio/", views.member_lookup, name="member_lookup"),
    path("acopio/importar/", views.delivery_import, name="delivery_import"),
    path("acopio/entregas/", views.delivery_list, name="delivery_list"),
    path("acopio/control-rendimiento/", views.yield_control, name="yield_control"),
    path("acopio/recibos/<str:receipt>/", views.delivery_detail, name="delivery_detail"),
    path(
        "acopio/recibos/<str:receipt>/<str:size>.pdf", views.delivery_receipt_pdf, name="delivery_receipt_pdf"
    ),
    path("acopio/recibos/<str:receipt>/anular/", views.delivery_void, name="delivery_void"),
]

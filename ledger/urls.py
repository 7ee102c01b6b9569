from django.urls import path

from ledger import views

app_name = "ledger"
urlpatterns = [
    path("cuentas/<str:code>/movimiento/", views.movement_new, name="movement_new"),
    path("cuentas/<str:code>/movimiento/<int:pk>/anular/", views.movement_reverse, name="movement_reverse"),
]

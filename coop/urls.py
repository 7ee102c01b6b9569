from django.urls import path

from coop import views

app_name = "coop"
urlpatterns = [
    path("socios/", views.member_list, name="member_list"),
    path("socios/<str:code>/", views.member_detail, name="member_detail"),
    path("socios/<str:code>/editar/", views.member_edit, name="member_edit"),
    path("socios/<str:code>/estado/", views.member_status_change, name="member_status_change"),
    path("importar/", views.register_import, name="register_import"),
    path("exportar/", views.register_export, name="register_export"),
    path("exportar/<int:pk>/", views.register_export_run, name="register_export_run"),
    path("exportar/<int:pk>/archivo/", views.register_export_file, name="register_export_file"),
]

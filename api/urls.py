"""Administration's pages of the API (namespace «institutions»); the API itself is api.v1 via v1_urls."""

from django.urls import path

from api import views

app_name = "institutions"
urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("<int:pk>/", views.client_detail, name="client_detail"),
    path("claves/<int:pk>/revocar/", views.key_revoke, name="key_revoke"),
    path("registro/", views.call_log, name="call_log"),
    path("socios/<str:code>/consentimiento/", views.member_consent, name="member_consent"),
]

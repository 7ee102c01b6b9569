from django.contrib.auth import views as auth_views
from django.urls import path

from toolkit.roles import public

urlpatterns = [
    path("entrar/", public(auth_views.LoginView.as_view()), name="login"),
    path("salir/", public(auth_views.LogoutView.as_view()), name="logout"),
]

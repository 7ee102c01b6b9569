from django.contrib.auth import views as auth_views
from django.urls import path

from toolkit import two_factor_views
from toolkit.roles import public

urlpatterns = [
    path("entrar/", public(auth_views.LoginView.as_view()), name="login"),
    path("salir/", public(auth_views.LogoutView.as_view()), name="logout"),
    # The second step of signing in (toolkit/two_factor.py).
    path("dos-pasos/", two_factor_views.account, name="two_factor"),
    path("dos-pasos/activar/", two_factor_views.enrol, name="two_factor_enrol"),
    path("dos-pasos/codigo/", two_factor_views.verify, name="two_factor_verify"),
    path("dos-pasos/codigos-de-recuperacion/", two_factor_views.recovery_codes, name="two_factor_codes"),
    path("dos-pasos/usuarios/", two_factor_views.users, name="two_factor_users"),
]

from django.urls import path

from assemblies import remote

app_name = "remote"
urlpatterns = [
    path("", remote.home, name="home"),
    path("entrar/", remote.sign_in, name="sign_in"),
    path("asistencia/", remote.attend, name="attend"),
    path("votar/", remote.vote, name="vote"),
    path("salir/", remote.sign_out, name="sign_out"),
]

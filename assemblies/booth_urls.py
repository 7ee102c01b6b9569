from django.urls import path

from assemblies import booth

app_name = "booth"
urlpatterns = [
    path("", booth.screen, name="screen"),
    path("votar/", booth.vote, name="vote"),
    path("listo/", booth.done, name="done"),
    path("liberar/", booth.release, name="release"),
]

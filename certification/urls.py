from django.urls import path

from certification import views

urlpatterns = [
    path("socios/<str:code>/estado-de-cuenta/<str:season>.pdf", views.member_statement_pdf,
         name="member_statement_pdf"),
]

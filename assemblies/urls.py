from django.urls import path

from assemblies import views

app_name = "assemblies"
urlpatterns = [
    path("", views.assembly_list, name="assembly_list"),
    path("cargos/", views.offices, name="offices"),
    path("cargos/registrar/", views.office_new, name="office_new"),
    path("cargos/cese/", views.office_end, name="office_end"),
    path("convocar/", views.assembly_new, name="assembly_new"),
    path("<int:pk>/", views.assembly_detail, name="assembly_detail"),
    path("<int:pk>/abrir/", views.assembly_open, name="assembly_open"),
    path("<int:pk>/cerrar/", views.assembly_close, name="assembly_close"),
    path("<int:pk>/quorum/", views.session_live, name="session_live"),
    path("<int:pk>/registro/", views.desk, name="desk"),
    path("<int:pk>/registro/accion/", views.desk_action, name="desk_action"),
    path("<int:pk>/cabinas/abrir/", views.booth_open, name="booth_open"),
    path("<int:pk>/cabinas/accion/", views.booth_action, name="booth_action"),
    path("<int:pk>/asistencia/", views.attendance_list, name="attendance_list"),
    path("<int:pk>/codigos-voto/", views.remote_codes, name="remote_codes"),
    path("<int:pk>/cartas-voto/<int:run>/", views.letter_run, name="letter_run"),
    path("<int:pk>/cartas-voto/<int:run>/cartas.zip", views.letter_run_zip, name="letter_run_zip"),
    path("<int:pk>/mociones/nueva/", views.motion_new, name="motion_new"),
    path("<int:pk>/mociones/<int:number>/", views.motion_detail, name="motion_detail"),
    path("<int:pk>/mociones/<int:number>/accion/", views.motion_action, name="motion_action"),
    path("<int:pk>/mociones/<int:number>/conteo/", views.motion_tally, name="motion_tally"),
    path("<int:pk>/mociones/<int:number>/faltan/", views.not_voted, name="not_voted"),
    path("<int:pk>/convocatoria.pdf", views.call_notice, name="call_notice"),
    path("<int:pk>/padron-firmas.pdf", views.signature_sheet, name="signature_sheet"),
    path("<int:pk>/acta.pdf", views.minutes, name="minutes"),
]

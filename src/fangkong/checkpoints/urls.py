from django.urls import path

from . import views

app_name = "checkpoints"
urlpatterns = [
    path("", views.checkpoint_list, name="list"),
    path("new/", views.checkpoint_create, name="create"),
    path("risk-areas/", views.risk_area_list, name="risk_areas"),
    path("risk-areas/<int:pk>/end/", views.risk_area_end, name="risk_area_end"),
    path("norms/", views.work_norm_list, name="norms"),
    path("lookup/person/", views.person_lookup, name="person_lookup"),
    path("lookup/destinations/", views.destination_lookup, name="destination_lookup"),
    path("<int:pk>/", views.checkpoint_detail, name="detail"),
    path("<int:pk>/edit/", views.checkpoint_edit, name="edit"),
    path("<int:pk>/status/", views.checkpoint_status, name="status"),
    path("<int:pk>/register/", views.passage_register, name="register"),
    path("<int:pk>/passages/", views.passage_list, name="passages"),
    path("<int:pk>/passages/export.xlsx", views.passage_export, name="passage_export"),
    path("<int:pk>/shifts/new/", views.shift_create, name="shift_create"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift"),
    path("shifts/<int:pk>/edit/", views.shift_edit, name="shift_edit"),
    path("shifts/<int:pk>/check/", views.shift_check, name="shift_check"),
    path("shifts/<int:pk>/handover/", views.shift_handover, name="shift_handover"),
    path("shifts/<int:pk>/delete/", views.shift_delete, name="shift_delete"),
    path("passages/<int:pk>/", views.passage_detail, name="passage"),
    path("passages/<int:pk>/recheck/", views.passage_recheck, name="passage_recheck"),
]

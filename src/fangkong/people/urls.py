from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("search/", views.person_search, name="person_search"),
    path("export.xlsx", views.person_export, name="person_export"),
    path("new/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/delete/", views.person_delete, name="person_delete"),
    path("<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("move/", views.person_move, name="person_move"),
    path("move-requests/", views.move_requests, name="move_requests"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/delete/", views.household_delete, name="household_delete"),
]

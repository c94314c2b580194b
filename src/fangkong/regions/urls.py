from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("search/", views.search, name="search"),
    path("<str:code>/", views.division, name="division"),
    path("<str:code>/grids/", views.grid_create, name="grid_create"),
]

"""The public self-report page, mounted at /report/ (no login)."""

from django.urls import path

from . import public_views

app_name = "report"
urlpatterns = [
    path("", public_views.report, name="form"),
    path("done/", public_views.report_done, name="done"),
    path("places/", public_views.report_places, name="places"),
    path("cities/", public_views.report_cities, name="cities"),
]

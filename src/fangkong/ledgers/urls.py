from django.urls import path

from . import views

app_name = "ledgers"
urlpatterns = [
    path("import/", views.import_view, name="import"),
    path("template/<slug:kind>.xlsx", views.template_download, name="template"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/errors.xlsx", views.job_errors_export, name="job_errors_export"),
    path("export/households.xlsx", views.household_export, name="household_export"),
]

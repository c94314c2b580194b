from django.urls import path

from . import views

app_name = "screening"
urlpatterns = [
    path("", views.arrival_list, name="arrival_list"),
    path("arrivals/search/", views.arrival_search, name="arrival_search"),
    path("arrivals/rule/", views.arrival_rule, name="arrival_rule"),
    path("arrivals/export/", views.arrival_export, name="arrival_export"),
    path("arrivals/<int:pk>/", views.arrival_detail, name="arrival_detail"),
    path("arrivals/<int:pk>/dismiss/", views.arrival_dismiss, name="arrival_dismiss"),
    path("arrivals/<int:pk>/reveal/", views.arrival_reveal, name="arrival_reveal"),
    path("arrivals/<int:pk>/confirm/", views.arrival_confirm, name="arrival_confirm"),
    path("propose/", views.measure_proposal, name="measure_proposal"),
    path("origins/cities/", views.origin_cities, name="origin_cities"),
    path("returnees/", views.returnee_list, name="returnee_list"),
    path("returnees/export/", views.returnee_export, name="returnee_export"),
    path("returnees/<int:pk>/", views.returnee_detail, name="returnee_detail"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/coverage/", views.campaign_coverage, name="campaign_coverage"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/households/", views.campaign_households, name="campaign_households"),
    path("campaigns/<int:pk>/households/<int:household_id>/visit/", views.visit_record, name="visit_record"),
    path("campaigns/<int:pk>/households/<int:household_id>/quick/", views.visit_quick, name="visit_quick"),
    path("coverage/", views.coverage, name="coverage"),
    path("import/", views.returnee_import, name="import"),
]

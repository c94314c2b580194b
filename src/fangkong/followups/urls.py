from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("", views.followup_list, name="list"),
    path("today/", views.today, name="today"),
    path("export.xlsx", views.followup_export, name="export"),
    path("new/", views.followup_start, name="start"),
    path("new/search/", views.followup_start_search, name="start_search"),
    path("policy/", views.policy, name="policy"),
    path("<int:pk>/", views.followup_detail, name="detail"),
    path("<int:pk>/extend/", views.followup_extend, name="extend"),
    path("<int:pk>/transfer/", views.followup_transfer, name="transfer"),
    path("<int:pk>/release/", views.followup_release, name="release"),
    path("checks/", views.check_list, name="checks"),
    path("checks/export.xlsx", views.check_export, name="checks_export"),
    path("checks/<int:pk>/", views.check_record, name="check_record"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/export.xlsx", views.referral_export, name="referrals_export"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/close/", views.referral_close, name="referral_close"),
    path("referrals/<int:pk>/pick-up/", views.referral_pick_up, name="referral_pick_up"),
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("deliveries/export.xlsx", views.delivery_export, name="deliveries_export"),
    path("deliveries/new/", views.delivery_create, name="delivery_create"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:pk>/take/", views.delivery_take, name="delivery_take"),
    path("deliveries/<int:pk>/deliver/", views.delivery_deliver, name="delivery_deliver"),
    path("deliveries/<int:pk>/cancel/", views.delivery_cancel, name="delivery_cancel"),
]

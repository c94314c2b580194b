from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from fangkong.api import api
from fangkong.core.views import favicon

urlpatterns = [
    path("", include("fangkong.accounts.urls")),
    path("regions/", include("fangkong.regions.urls")),
    path("people/", include("fangkong.people.urls")),
    path("ledgers/", include("fangkong.ledgers.urls")),
    path("audit/", include("fangkong.audit.urls")),
    path("approvals/", include("fangkong.approvals.urls")),
    path("checkpoints/", include("fangkong.checkpoints.urls")),
    path("screening/", include("fangkong.screening.urls")),
    path("report/", include("fangkong.screening.public_urls")),
    path("followups/", include("fangkong.followups.urls")),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon, name="favicon"),
]

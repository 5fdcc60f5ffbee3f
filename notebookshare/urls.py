from django.contrib import admin
from django.urls import include, path

from sharing import api
from sharing.views.accounts import sign_in

# Outages (file store or database away, disk full) answer 503/507; anything else is a 500.
handler500 = "sharing.storage.server_error"

urlpatterns = [
    path("accounts/login/", sign_in, name="login"),  # rate-limited; before auth.urls
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("sharing.urls")),
]

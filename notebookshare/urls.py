from django.contrib import admin
from django.urls import include, path

from sharing import api
from sharing.views.accounts import admin_sign_in, break_glass_sign_in, password_reset, sign_in

# Outages (file store or database away, disk full) answer 503/507; anything else is a 500.
handler500 = "sharing.storage.server_error"

urlpatterns = [
    # Rate-limited versions of django.contrib.auth's and the admin's pages: before theirs.
    path("accounts/login/", sign_in, name="login"),
    path("accounts/login/break-glass/", break_glass_sign_in, name="login-break-glass"),
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/sso/", include("sharing.sso.urls")),
    path("admin/login/", admin_sign_in),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("sharing.urls")),
]

from django.urls import include, path

from tests.sso.idp.setup import setup_view

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("test-setup/", setup_view),
    path("", include("allauth.idp.urls")),
]

"""Single sign-on URLs, and allauth's named steps pointed at our pages (never allauth's
own password or sign-up pages)."""

from django.urls import path

from sharing.sso import oidc, views

urlpatterns = [
    path("oidc/<str:provider_id>/login/", oidc.login, name="openid_connect_login"),
    path("oidc/<str:provider_id>/login/callback/", oidc.callback, name="openid_connect_callback"),
    path("inactive/", views.account_inactive, name="account_inactive"),
    path("signin/", views.sign_in_again, name="account_login"),
    path("signup/", views.sign_in_again, name="account_signup"),
    path("cancelled/", views.sign_in_again, name="socialaccount_login_cancelled"),
    path("signup/social/", views.not_available, name="socialaccount_signup"),
    path("connections/", views.not_available, name="socialaccount_connections"),
]

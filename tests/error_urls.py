"""The project's URLs plus one view that fails, to see the 500 page."""

from django.urls import path

from notebookshare.urls import urlpatterns as project_urls


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken), *project_urls]

from django.urls import path

from sharing.views import accounts, notebooks

app_name = "sharing"

urlpatterns = [
    path("", notebooks.dashboard, name="dashboard"),
    path("upload/", notebooks.upload, name="upload"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("n/<int:pk>/", notebooks.notebook_detail, name="notebook-detail"),
    path("n/<int:pk>/upload/", notebooks.upload_version, name="notebook-upload-version"),
    path("n/<int:pk>/rename/", notebooks.rename, name="notebook-rename"),
    path("n/<int:pk>/delete/", notebooks.delete, name="notebook-delete"),
    path("n/<int:pk>/v/<int:number>/", notebooks.version_detail, name="version-detail"),
    path("n/<int:pk>/v/<int:number>/download/", notebooks.download, name="version-download"),
    path("n/<int:pk>/v/<int:number>/status/", notebooks.render_status, name="render-status"),
]

from django.urls import path

from sharing.views import access, accounts, notebooks

app_name = "sharing"

urlpatterns = [
    path("", notebooks.dashboard, name="dashboard"),
    path("upload/", notebooks.upload, name="upload"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("n/<int:pk>/", notebooks.notebook_detail, name="notebook-detail"),
    path("n/<int:pk>/upload/", notebooks.upload_version, name="notebook-upload-version"),
    path("n/<int:pk>/rename/", notebooks.rename, name="notebook-rename"),
    path("n/<int:pk>/delete/", notebooks.delete, name="notebook-delete"),
    path("n/<int:pk>/access/", access.access_page, name="notebook-access"),
    path("n/<int:pk>/access/people/", access.share_with_person, name="access-person"),
    path(
        "n/<int:pk>/access/people/<int:user_id>/remove/",
        access.remove_person,
        name="access-person-remove",
    ),
    path("n/<int:pk>/access/groups/", access.share_with_group, name="access-group"),
    path(
        "n/<int:pk>/access/groups/<int:group_id>/remove/",
        access.remove_group,
        name="access-group-remove",
    ),
    path("n/<int:pk>/access/visibility/", access.change_visibility, name="access-visibility"),
    path("n/<int:pk>/transfer/", access.transfer_ownership, name="notebook-transfer"),
    path("groups/", access.my_groups, name="groups"),
    path("n/<int:pk>/v/<int:number>/", notebooks.version_detail, name="version-detail"),
    path("n/<int:pk>/v/<int:number>/download/", notebooks.download, name="version-download"),
    path("n/<int:pk>/v/<int:number>/status/", notebooks.render_status, name="render-status"),
]

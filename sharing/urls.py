from django.urls import path

from sharing.views import accounts, comments, compare, links, notebooks, people, share, tokens

app_name = "sharing"

urlpatterns = [
    path("", notebooks.dashboard, name="dashboard"),
    path("upload/", notebooks.upload, name="upload"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("settings/tokens/", tokens.tokens_page, name="api-tokens"),
    path("settings/tokens/<int:token_id>/revoke/", tokens.revoke, name="api-token-revoke"),
    path("n/<int:pk>/", notebooks.notebook_detail, name="notebook-detail"),
    path("n/<int:pk>/upload/", notebooks.upload_version, name="notebook-upload-version"),
    path("n/<int:pk>/rename/", notebooks.rename, name="notebook-rename"),
    path("n/<int:pk>/delete/", notebooks.delete, name="notebook-delete"),
    path("n/<int:pk>/access/", share.access_page, name="notebook-access"),
    path("n/<int:pk>/access/people/", share.share_with_person, name="access-person"),
    path(
        "n/<int:pk>/access/people/<int:user_id>/remove/",
        share.remove_person,
        name="access-person-remove",
    ),
    path("n/<int:pk>/access/groups/", share.share_with_group, name="access-group"),
    path(
        "n/<int:pk>/access/groups/<int:group_id>/remove/",
        share.remove_group,
        name="access-group-remove",
    ),
    path("n/<int:pk>/access/visibility/", share.change_visibility, name="access-visibility"),
    path("n/<int:pk>/transfer/", share.transfer_ownership, name="notebook-transfer"),
    path("n/<int:pk>/links/", links.manage, name="notebook-links"),
    path("n/<int:pk>/links/new/", links.create, name="share-link-create"),
    path("n/<int:pk>/links/<int:link_id>/revoke/", links.revoke, name="share-link-revoke"),
    path("l/<str:token>/", links.open_link, name="share-link-open"),
    path("groups/", share.my_groups, name="groups"),
    path("n/<int:pk>/v/<int:number>/", notebooks.version_detail, name="version-detail"),
    path("n/<int:pk>/v/<int:number>/download/", notebooks.download, name="version-download"),
    path("n/<int:pk>/v/<int:number>/status/", notebooks.render_status, name="render-status"),
    path("n/<int:pk>/compare/", compare.pick, name="notebook-compare-pick"),
    path("n/<int:pk>/compare/<str:spec>/", compare.compare, name="notebook-compare"),
    path("n/<int:pk>/compare/<str:spec>/status/", compare.status, name="notebook-compare-status"),
    path("n/<int:pk>/v/<int:number>/comments/", comments.threads, name="version-comments"),
    path("n/<int:pk>/threads/<int:thread_id>/reply/", comments.reply, name="comment-reply"),
    path("n/<int:pk>/threads/<int:thread_id>/resolve/", comments.resolve, name="comment-resolve"),
    path("n/<int:pk>/threads/<int:thread_id>/reopen/", comments.reopen, name="comment-reopen"),
    path("n/<int:pk>/comments/<int:comment_id>/edit/", comments.edit, name="comment-edit"),
    path("n/<int:pk>/comments/<int:comment_id>/delete/", comments.delete, name="comment-delete"),
    path("people/<str:username>/", people.person, name="person"),
    path("settings/notifications/", people.notification_settings, name="notification-settings"),
]

from django.contrib import admin
from django.utils import timezone

from sharing import links
from sharing.comments.threads import BodyTooComplex, render_for
from sharing.models import (
    ApiToken,
    Comment,
    CommentThread,
    Notebook,
    NotebookGroupObjectPermission,
    NotebookUserObjectPermission,
    NotebookVersion,
    Rendering,
    ShareLink,
    ShareLinkEvent,
)
from sharing.sso.forms import AdminSignInForm


class VersionInline(admin.TabularInline):
    model = NotebookVersion
    fields = ("number", "filename", "size", "sha256", "uploaded_by", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


class UserGrantInline(admin.TabularInline):
    model = NotebookUserObjectPermission
    fields = ("user", "permission")
    raw_id_fields = ("user",)
    extra = 0
    verbose_name = "permission of a person"


class GroupGrantInline(admin.TabularInline):
    model = NotebookGroupObjectPermission
    fields = ("group", "permission")
    extra = 0
    verbose_name = "permission of a group"


@admin.register(Notebook)
class NotebookAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "visibility", "latest_version", "updated_at")
    list_filter = ("visibility",)
    list_select_related = ("owner", "latest_version")
    search_fields = ("title", "owner__username")
    raw_id_fields = ("owner", "latest_version")
    inlines = [VersionInline, UserGrantInline, GroupGrantInline]


@admin.register(Rendering)
class RenderingAdmin(admin.ModelAdmin):
    list_display = ("content_sha256", "renderer_version", "status", "duration_ms", "updated_at")
    list_filter = ("status", "renderer_version")
    exclude = ("html",)
    readonly_fields = ("content_sha256", "renderer_version", "duration_ms", "error")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are created by their owners (the secret is never stored)."""

    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at")
    exclude = ("token_hash",)

    def has_add_permission(self, request) -> bool:
        return False


MODERATED_HTML = "<p><em>This comment was edited by a moderator.</em></p>"


def _changed_fields(formset, instance) -> list[str]:
    for form in formset.forms:
        if form.instance is instance:
            return form.changed_data
    return []


class CommentInline(admin.TabularInline):
    model = Comment
    fields = ("author_name", "body", "created_at", "edited_at")
    readonly_fields = ("author_name", "created_at", "edited_at")
    extra = 0


@admin.register(CommentThread)
class CommentThreadAdmin(admin.ModelAdmin):
    list_display = ("notebook", "cell_id", "created_by", "created_at", "resolved_at")
    list_select_related = ("notebook", "created_by")
    search_fields = ("notebook__title", "excerpt", "comments__body")
    raw_id_fields = ("notebook", "version", "created_by", "resolved_by")
    inlines = [CommentInline]

    def save_formset(self, request, form, formset, change):
        """A moderator's edit changes what readers see: the HTML is rendered again from the new
        Markdown (within the comment budget), or replaced by a notice if it cannot be."""
        comments = formset.save(commit=False)
        for comment in comments:
            if isinstance(comment, Comment) and "body" in _changed_fields(formset, comment):
                try:
                    comment.body_html = render_for(form.instance.notebook, comment.body).html
                except BodyTooComplex:
                    comment.body_html = MODERATED_HTML
                comment.edited_at = timezone.now()
            comment.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()


# --- share links -------------------------------------------------------------------------


class ShareLinkStateFilter(admin.SimpleListFilter):
    """Active links by default: the page answers "which links work right now?"."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("ended", "Expired, revoked or orphaned"), ("all", "All")]

    def value(self):
        return super().value() or "active"

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "active":
            return links.usable(queryset)
        if self.value() == "ended":
            return queryset.exclude(pk__in=links.usable(ShareLink.objects.all()).values("pk"))
        return queryset


class ShareLinkEventInline(admin.TabularInline):
    model = ShareLinkEvent
    fields = ("at", "kind", "actor", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "notebook",
        "role",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "use_count",
        "revoked_at",
    )
    list_filter = (
        ShareLinkStateFilter,
        ("notebook", admin.RelatedOnlyFieldListFilter),
        ("created_by", admin.RelatedOnlyFieldListFilter),
        "role",
    )
    list_select_related = ("notebook", "created_by")
    search_fields = ("label", "notebook__title", "created_by__username")
    # Nothing is edited here; the token's hash is of no use to anyone reading the page.
    readonly_fields = [f.name for f in ShareLink._meta.fields if f.name not in {"id", "token_hash"}]
    exclude = ("token_hash",)
    inlines = [ShareLinkEventInline]
    actions = ["revoke_links"]

    def has_add_permission(self, request) -> bool:
        return False  # links are created from a notebook's page, where the token is shown

    @admin.action(description="Revoke selected share links", permissions=["change"])
    def revoke_links(self, request, queryset):
        revoked = sum(links.revoke(link, request.user) for link in queryset)
        self.message_user(request, f"Revoked {revoked} share link{'s' * (revoked != 1)}.")


# With SSO_ONLY, only a superuser may use a password, on the admin's sign-in page too.
admin.site.login_form = AdminSignInForm

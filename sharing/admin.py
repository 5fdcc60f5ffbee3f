from django.contrib import admin

from sharing.models import (
    Notebook,
    NotebookGroupObjectPermission,
    NotebookUserObjectPermission,
    NotebookVersion,
    Rendering,
)


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

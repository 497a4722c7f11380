from django.contrib import admin

from cercle.projects.models import ChecklistItem, Project, StatusUpdate


class ChecklistInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("request", "lead", "first_meeting_at", "created_at")
    inlines = [ChecklistInline]
    raw_id_fields = ("request",)


admin.site.register(StatusUpdate)

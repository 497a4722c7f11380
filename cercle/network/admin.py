from django.contrib import admin

from cercle.network.models import Contact


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "organisation", "language", "created_at")
    search_fields = ("name", "email", "organisation")
    list_filter = ("language",)

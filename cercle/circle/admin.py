from django.contrib import admin

from cercle.circle.models import MemberProfile, Offer


@admin.register(MemberProfile)
class MemberProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "headline_fr", "skills", "capacity")
    search_fields = ("user__username", "user__first_name", "user__last_name", "skills")


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("request", "member", "state", "mode", "round", "position", "deadline_at", "responded_at")
    list_filter = ("state", "mode")
    raw_id_fields = ("request", "suggested_by")

from django.contrib import admin

from .models import Checkpoint, RiskArea, WorkNorm


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "kind", "division_code", "status")
    list_filter = ("level", "kind", "status")
    search_fields = ("name", "division_code")


@admin.register(WorkNorm)
class WorkNormAdmin(admin.ModelAdmin):
    list_display = ("level", "position", "text", "active")
    list_filter = ("level", "active")


@admin.register(RiskArea)
class RiskAreaAdmin(admin.ModelAdmin):
    list_display = ("origin_name", "origin_code", "level", "starts_on", "ends_on")

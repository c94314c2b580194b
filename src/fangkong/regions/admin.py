from django.contrib import admin

from .models import Division


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "short_name", "level", "person_count", "household_count")
    list_filter = ("level",)
    search_fields = ("code", "name")
    readonly_fields = ("person_count", "household_count")

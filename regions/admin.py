from django.contrib import admin

from regions.models import County, Municipality, PostalCode, Region, RegionRole


class CountyInline(admin.TabularInline):
    model = County
    fields = ["number", "name"]
    readonly_fields = ["number", "name"]
    extra = 0
    can_delete = False


class RegionRoleInline(admin.TabularInline):
    model = RegionRole
    raw_id_fields = ["person"]
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "office_municipality"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["office_municipality"]
    inlines = [RegionRoleInline, CountyInline]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "region"]
    list_editable = ["region"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "county", "centrality"]
    list_filter = ["county", "centrality"]
    search_fields = ["number", "name", "official_name"]


@admin.register(PostalCode)
class PostalCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "place", "municipality", "category"]
    search_fields = ["code", "place"]
    list_select_related = ["municipality"]

from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("eksport/<slug:table>.<str:fmt>", views.export, name="national_export"),
    path("<slug:slug>/", views.region, name="region"),
    path("<slug:slug>/eksport/<slug:table>.<str:fmt>", views.export, name="region_export"),
]

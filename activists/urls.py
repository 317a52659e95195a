from django.urls import path

from activists import views

app_name = "activists"
urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("meg/", views.profile, name="profile"),
    path("medlemsregister/", views.import_members, name="import_members"),
    path("medlemsregister/bekreft/", views.import_members_confirm, name="import_members_confirm"),
]

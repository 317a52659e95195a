from django.urls import path

from activists.views import people

app_name = "activists"
urlpatterns = [
    path("", people.person_list, name="person_list"),
    path("<int:pk>/", people.person_detail, name="person_detail"),
    path("meg/", people.profile, name="profile"),
    path("medlemsregister/", people.import_members, name="import_members"),
    path("medlemsregister/bekreft/", people.import_members_confirm, name="import_members_confirm"),
]

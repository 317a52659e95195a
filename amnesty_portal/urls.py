"""The portal's URLs. Norwegian paths, since Norwegian is the portal's first language."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from activists.views import consent as consent_views
from amnesty_portal import views

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Amnesty-portalen"
admin.site.site_title = "Amnesty-portalen"

urlpatterns = [
    path("", views.home, name="home"),
    path("helse/", views.health, name="health"),
    path("konto/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("personer/", include("activists.urls")),
    path("grupper/", include("groups.urls")),
    path("regioner/", include("regions.urls")),
    path("oversikt/", include("dashboard.urls")),
    path("avmelding/<str:token>/", consent_views.unsubscribe, name="unsubscribe"),
    path("kampanjer/", include("campaigns.urls")),
    path("engasjer-deg/", include("activists.urls_engage")),
]

handler403 = "amnesty_portal.views.permission_denied"
handler404 = "amnesty_portal.views.page_not_found"
handler500 = "amnesty_portal.views.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

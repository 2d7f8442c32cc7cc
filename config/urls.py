from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


class Favicon(RedirectView):
    # Clients that ask /favicon.ico without reading the page's <link rel="icon">: feed
    # readers, bookmarks. Resolved per request, so that it names the hashed file.
    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


urlpatterns = [
    path("favicon.ico", Favicon.as_view()),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the interface
    path("", include("search.urls")),
    path("", include("archive.urls")),
]

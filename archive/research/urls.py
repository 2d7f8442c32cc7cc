"""/demands/, its exports, compare, and the CSV of the entity pages' charts."""

from django.urls import path, re_path

from archive.research import views

app_name = "research"

KIND = r"(?P<kind>people|organizations|places|resolutions)"

urlpatterns = [
    path("demands/", views.demand_tracker, name="demands"),
    path("demands.json", views.demands_json, name="demands-json"),
    path("demands.csv", views.demands_csv, name="demands-csv"),
    path("demands/chart.csv", views.demands_chart_csv, name="demands-chart-csv"),
    path("compare/<str:id_a>/<str:id_b>/", views.compare_view, name="compare"),
    path("c/<str:public_id>/compare/previous/", views.compare_previous, name="compare-previous"),
    re_path(
        rf"^{KIND}/(?P<slug>[^/]+)/timeline\.csv$", views.entity_timeline_csv, name="timeline-csv"
    ),
    re_path(
        rf"^{KIND}/(?P<slug>[^/]+)/cooccurrence\.csv$",
        views.entity_cooccurrence_csv,
        name="cooccurrence-csv",
    ),
    path(
        "resolutions/<str:slug>/citations.csv",
        views.resolution_citations_csv,
        name="citations-csv",
    ),
]

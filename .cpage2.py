import os, sys, time, resource
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django; django.setup()
from django.conf import settings; settings.BAYAN_RATE_LIMIT = "0"
from django.test import Client
from archive.models import Communique
ids = list(Communique.objects.published().values_list("public_id", flat=True)[:99000:797])
c = Client()
for pk in ids[:40]: c.get(f"/c/{pk}/")
ts = []
for pk in ids[40:80]:
    t = time.process_time(); c.get(f"/c/{pk}/"); ts.append((time.process_time() - t) * 1000)
ts.sort(); print(os.environ.get("BAYAN_SEARCH_CACHE_MB"), "p50", round(ts[len(ts)//2]), "p90", round(ts[int(len(ts)*.9)]), "rss MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss//1024)
from haystack import connections
b = connections["default"].get_backend()
sc = b._segments
print("cached MB", sc._cached/2**20, "entries", len(sc._postings), "budget MB", sc.budget/2**20)
from collections import Counter
print(Counter(k[1] for k in sc._postings))

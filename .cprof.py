import os, sys, time, cProfile, pstats
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django; django.setup()
from django.conf import settings; settings.BAYAN_RATE_LIMIT = "0"
from django.test import Client
from archive.models import Communique
ids = list(Communique.objects.published().values_list("public_id", flat=True)[:90000:1303])
c = Client()
for pk in ids[:3]: c.get(f"/c/{pk}/")
pr = cProfile.Profile(); pr.enable()
for pk in ids[3:13]: c.get(f"/c/{pk}/")
pr.disable(); pstats.Stats(pr).sort_stats(sys.argv[1]).print_stats(40)

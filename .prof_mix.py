import os, sys, time, cProfile, pstats
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django; django.setup()
from search import bench
from django.test import Client
from django.db import reset_queries
keys = bench.top_keys()
mix = bench.mix_params(keys)
c = Client()
for kind, p in mix: c.get("/api/search/?" + bench.query_string(p))
T = {}
for kind, p in mix:
    t = time.process_time()
    for _ in range(3): c.get("/api/search/?" + bench.query_string(p))
    T[kind] = (time.process_time() - t) / 3 * 1000
print({k: round(v, 1) for k, v in T.items()})
pr = cProfile.Profile(); pr.enable()
for _ in range(3):
    for kind, p in mix: c.get("/api/search/?" + bench.query_string(p)); reset_queries()
pr.disable()
s = pstats.Stats(pr); s.sort_stats(sys.argv[1] if len(sys.argv) > 1 else "cumulative").print_stats(45)

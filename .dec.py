import os, sys, time, zlib, pickle
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django; django.setup()
from haystack import connections
from search.fast import _leaf_postings
b = connections["default"].get_backend()
s = b._current_searcher()
r = s.reader()
leaves = [l for l, o in r.leaf_readers()]
leaf = max(leaves, key=lambda l: l.doc_count_all())
terms = [t for t in leaf.lexicon("text") if leaf.doc_frequency("text", t) > 3000][:40]; print(len(terms), leaf.doc_count_all(), terms[:3])
tot = 0; n = 0; t0 = time.perf_counter()
for t in terms:
    ids, w = _leaf_postings(leaf, "text", t); tot += len(ids)
dt = time.perf_counter() - t0
print("postings", tot, "terms", len(terms), "ms", round(dt*1000,1), "us/posting", round(dt/tot*1e6,3))
m = leaf._terms.matcher("text", terms[0], leaf.schema["text"].format)
m._read_data()
print(len(m._data), type(m._data[2]), m._data[2][:2] if m._data[2] else None)
datalen = m._nextoffset - m._dataoffset
raw = m._postfile.get(m._dataoffset, datalen)
t0=time.perf_counter()
for _ in range(1000): d = zlib.decompress(raw)
t1=time.perf_counter()
for _ in range(1000): pickle.loads(d)
t2=time.perf_counter()
print("block bytes", datalen, "unzipped", len(d), "zlib us", round((t1-t0)*1000,1), "pickle us", round((t2-t1)*1000,1))
obj = pickle.loads(d)
for proto in (2, 4, 5):
    p = pickle.dumps(obj, proto)
    t0=time.perf_counter()
    for _ in range(1000): pickle.loads(p)
    print(proto, len(p), len(zlib.compress(p, 3)), "us", round((time.perf_counter()-t0)*1000,1))

import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django; django.setup()
from archive.models import Communique
from search.analysis import text_analyzer
from search import highlighting as new, _old_highlighting as old
texts = ["\n\n".join(p.text for p in c.paragraphs.all()) for c in Communique.objects.prefetch_related("paragraphs")[:400]]
an = text_analyzer()
for words in [frozenset({"intern"}), frozenset({"ceasefir", "refuge"}), frozenset({"mercenari"})]:
    for mod in (old, new):
        h = mod.FastHighlighter(fragmenter=mod.highlight_fragmenter())
        for t in texts: h.fragments(an, t, words)  # warm memo
        t0 = time.process_time()
        outs = [h.fragments(an, t, words) for t in texts]
        dt = (time.process_time() - t0) / len(texts) * 1000
        print(mod.__name__, sorted(words), round(dt, 3), "ms/text", sum(len(o) for o in outs))
import cProfile, pstats
h = new.FastHighlighter(fragmenter=new.highlight_fragmenter())
words = frozenset({"intern"})
for t in texts: h.fragments(an, t, words)
pr = cProfile.Profile(); pr.enable()
for t in texts: h.fragments(an, t, words)
pr.disable(); pstats.Stats(pr).sort_stats("tottime").print_stats(12)

"""Research views: demands, citations, timelines, co-occurrence and comparison.

Each module returns plain data computed from published communiqués only; the views in
`archive.research.views` are thin, and `charts` draws that data as SVG on the server.
"""

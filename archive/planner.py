"""Statistics for the database's query planner, gathered on SQLite, where nothing else
gathers them (PostgreSQL's autovacuum does).

Without them SQLite chooses between a query's indexes blind. To count a place's communiqués
it walked every published communiqué through the index on `status`, looking each one up among
the place's links, rather than reading those links: at 100,000 communiqués /places/ took
13–15 s and /resolutions/ 5–6.5 s; with statistics 1.4 s and 84 ms (measured). Gathering
them reads every table once, under a second at that size.

Their absence is worst for one index among analyzed ones: SQLite then takes it for the best
way in. A migration that adds an index gathers them again after it (see 0006).
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import OperationalError

# Below this many communiqués every plan is quick: statistics are gathered from here on, and
# again whenever the archive has grown GROWTH times since they were.
FROM_ROWS = 1_000
GROWTH = 2


def refresh(using: str = DEFAULT_DB_ALIAS) -> None:
    """Gather the statistics now: after records are loaded in bulk, which sends no signals."""
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")


def keep_current(using: str = DEFAULT_DB_ALIAS) -> bool:
    """On SQLite, gather the statistics if the archive has outgrown them (FROM_ROWS, GROWTH);
    whether it did. Two indexed lookups when nothing is to be done."""
    from archive.models import Communique

    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    table = Communique._meta.db_table
    with connection.cursor() as cursor:
        # Ids only grow: the largest is the table's size to within the few deleted.
        cursor.execute(f'SELECT MAX("id") FROM "{table}"')
        rows = cursor.fetchone()[0] or 0
        if rows < FROM_ROWS:
            return False
        try:
            # Each index's entry starts with the table's rows when it was analyzed.
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
            found = cursor.fetchone()
        except OperationalError:  # no sqlite_stat1: never analyzed
            found = None
    analyzed = int(found[0].split()[0]) if found else 0
    if rows < analyzed * GROWTH:
        return False
    refresh(using)
    return True

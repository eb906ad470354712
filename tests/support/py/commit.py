"""commit.py HOST PORT STORAGE KEY VALUE: commit root[KEY] = VALUE."""
import sys

import ZODB
from ZEO.ClientStorage import ClientStorage

host, port, storage, key, value = sys.argv[1:]
db = ZODB.DB(ClientStorage((host, int(port)), storage=storage, wait=True,
                           wait_timeout=10))
try:
    with db.transaction() as conn:
        conn.root()[key] = value
finally:
    db.close()

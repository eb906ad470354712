"""read_key.py (file PATH | zeo HOST PORT STORAGE) KEY: print root[KEY].

Opens the storage read-only (a FileStorage may be open in a server at the
same time) and prints the value, or exits with status 4 if it is absent.
"""
import sys

import ZODB
from ZODB.POSException import POSKeyError, ReadOnlyError

kind, *where, key = sys.argv[1:]
if kind == 'file':
    from ZODB.FileStorage import FileStorage
    storage = FileStorage(where[0], read_only=True)
else:
    from ZEO.ClientStorage import ClientStorage
    host, port, name = where
    storage = ClientStorage((host, int(port)), storage=name, read_only=True,
                            wait=True, wait_timeout=10)
try:
    db = ZODB.DB(storage)
except (POSKeyError, ReadOnlyError):
    sys.exit(4)  # no root object yet
try:
    root = db.open().root()
    if key not in root:
        sys.exit(4)
    print(root[key])
finally:
    db.close()

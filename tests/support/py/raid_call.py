"""raid_call.py HOST PORT STORAGE METHOD [ARG...]: one raw ZEO 6 call.

Prints a text result as is, anything else as JSON; a server-side exception
is printed as `Class: message` with exit status 3.
"""
import json
import sys

from ZEO.ClientStorage import ClientStorage
from ZEO.Exceptions import ServerException

host, port, storage, method, *args = sys.argv[1:]
client = ClientStorage((host, int(port)), storage=storage, read_only=True,
                       wait=True, wait_timeout=10)
try:
    result = client._server.call(method, *args)
except ServerException as exc:
    name, exc_args = exc.args
    print(f"{name.rsplit('.', 1)[-1]}: {' '.join(map(str, exc_args))}")
    sys.exit(3)
finally:
    client.close()
print(result if isinstance(result, str) else json.dumps(result, sort_keys=True))

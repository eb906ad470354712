"""raid_details.py HOST PORT STORAGE: one `name<TAB>text` line per child."""
import sys

from ZEO.ClientStorage import ClientStorage

host, port, storage = sys.argv[1:]
client = ClientStorage((host, int(port)), storage=storage, read_only=True,
                       wait=True, wait_timeout=10)
try:
    details = client._server.call('raid_details')
finally:
    client.close()
for name, text in sorted(details.items()):
    print(f'{name}\t{text}')

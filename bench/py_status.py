"""py_status.py HOST PORT STORAGE N [--process]

Times what a `manage status` check does, the Python way: connect a
read-only ZEO 6 ClientStorage (handshake + register), call raid_status,
close.  Prints the median wall time of one round in milliseconds.

With --process every round is a fresh interpreter (`python py_status.py
HOST PORT STORAGE --once`), as a monitoring system would run the original
Python controller; the time then includes interpreter start and imports.

Runs with any python that has ZEO 6 installed, e.g. target/zeo-venv/bin/python.
"""
import statistics
import subprocess
import sys
import time


def status_once(host, port, storage):
    from ZEO.ClientStorage import ClientStorage
    client = ClientStorage((host, port), storage=storage, read_only=True,
                           wait=True, wait_timeout=10)
    try:
        return client._server.call('raid_status')
    finally:
        client.close()


def main(argv):
    if len(argv) == 4 and argv[3] == '--once':
        print(status_once(argv[0], int(argv[1]), argv[2]))
        return
    if len(argv) not in (4, 5) or argv[4:] not in ([], ['--process']):
        sys.exit(__doc__)
    host, port, storage, rounds = argv[0], int(argv[1]), argv[2], int(argv[3])
    once = [sys.executable, __file__, host, str(port), storage, '--once']
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        if argv[4:]:
            subprocess.run(once, check=True, stdout=subprocess.DEVNULL)
        else:
            status_once(host, port, storage)
        times.append(time.perf_counter() - start)
    print(f'{statistics.median(times) * 1000:.3f}')


if __name__ == '__main__':
    main(sys.argv[1:])

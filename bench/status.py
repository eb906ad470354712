"""status.py MANAGE [--rounds N] [--msgpack]

Benchmarks one `status` check, as a monitoring system runs it: a fresh
process per check that connects, registers read-only, calls raid_status and
exits.  Compares the compiled manage binary MANAGE (e.g. `target/release/
zeoraid`, run as `zeoraid manage -p PORT status`, or a generated
`bin/<part>-<storage>-manage`) with a fresh Python interpreter doing the
same calls through a ZEO 6 ClientStorage (bench/py_status.py --once), and
also reports the in-process Python round trip (no interpreter start).

Both talk to the same RAID server, started here with bench/world.py.
Prints a Markdown table: median wall time and median peak RSS per check
(peak RSS via GNU time, package `time`).

Run with the test venv's python: target/zeo-venv/bin/python bench/status.py
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def wall_time(argv, rounds):
    """Median wall time (ms) of running argv to completion."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def peak_rss(argv, rounds):
    """Median peak RSS (KiB) of argv, read by GNU time (whose own small
    footprint is the floor; a child spawned straight from Python would
    inherit this interpreter's high-water mark instead)."""
    rss = []
    for _ in range(rounds):
        out = subprocess.run(['/usr/bin/time', '-f', '%M'] + argv, check=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True).stderr
        rss.append(int(out.strip().splitlines()[-1]))
    return statistics.median(rss)


def measure(argv, rounds):
    """Median wall time (ms) and median peak RSS (KiB) of running argv."""
    return wall_time(argv, rounds), peak_rss(argv, max(3, rounds // 10))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('manage')
    parser.add_argument('--rounds', type=int, default=100)
    parser.add_argument('--msgpack', action='store_true')
    args = parser.parse_args()

    world_argv = [sys.executable, os.path.join(HERE, 'world.py')]
    if args.msgpack:
        world_argv.append('--msgpack')
    world = subprocess.Popen(world_argv, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        host, port, storage = world.stdout.readline().split()
        manage = os.path.abspath(args.manage)
        rust = [manage]
        if os.path.basename(manage) == 'zeoraid':
            rust.append('manage')
        rust += ['-H', host, '-p', port, '-S', storage, 'status']
        python = [sys.executable, os.path.join(HERE, 'py_status.py'),
                  host, port, storage, '--once']
        measure(rust, 3)
        measure(python, 2)
        rust_ms, rust_kib = measure(rust, args.rounds)
        py_rounds = max(5, args.rounds // 5)
        py_ms, py_kib = measure(python, py_rounds)
        inproc = subprocess.run(
            [sys.executable, os.path.join(HERE, 'py_status.py'), host, port,
             storage, str(args.rounds)],
            check=True, capture_output=True, text=True).stdout.strip()
        size = os.path.getsize(manage)
        with open(manage, 'rb') as f:
            linkage = 'dynamic' if b'/ld-linux' in f.read() else 'static'
        codec = 'msgpack (M5)' if args.msgpack else 'pickle (Z5)'
        print(f'`status` round trip, ZEO 6 RAID server, {codec}, '
              f'{args.rounds} checks (Python: {py_rounds}):\n')
        print('| client | median wall time per check | median peak RSS |')
        print('|---|---|---|')
        print(f'| manage binary ({size / 1024:.0f} KiB, {linkage}) | '
              f'{rust_ms:.2f} ms | {rust_kib / 1024:.1f} MiB |')
        print(f'| Python ZEO 6 client, fresh interpreter | {py_ms:.1f} ms | '
              f'{py_kib / 1024:.1f} MiB |')
        print(f'| Python ZEO 6 client, in-process (no start-up) | '
              f'{float(inproc):.2f} ms | n/a |')
        print(f'\nspeed-up per check: {py_ms / rust_ms:.0f}x, '
              f'memory: {py_kib / rust_kib:.0f}x less')
    finally:
        world.stdin.close()
        world.wait(timeout=30)


if __name__ == '__main__':
    main()

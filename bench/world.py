"""world.py [--msgpack] [--backends N]

Starts a RAID world for benchmarks with the venv's runzeo: a RAID server
(`<raidstorage 1>`) over two file storages, or over N backend ZEO servers.
Prints `127.0.0.1 PORT 1` (host, RAID server port, storage) once it serves,
then runs until stdin closes or it gets SIGTERM/SIGINT, and cleans up.

Run it with the test venv's python: target/zeo-venv/bin/python bench/world.py
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RAIDPEER = os.path.join(os.path.dirname(HERE), 'tests', 'raidpeer')
RUNZEO = os.path.join(os.path.dirname(sys.executable), 'runzeo')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start(directory, name, storages, msgpack):
    """Writes NAME.conf and starts runzeo on a free port; returns (proc, port)."""
    port = free_port()
    conf = os.path.join(directory, name + '.conf')
    with open(conf, 'w') as f:
        f.write(f'<zeo>\n  address 127.0.0.1:{port}\n'
                f'  msgpack {str(msgpack).lower()}\n</zeo>\n{storages}')
    log = open(os.path.join(directory, name + '.log'), 'w')
    env = dict(os.environ, PYTHONPATH=RAIDPEER)
    proc = subprocess.Popen([RUNZEO, '-C', conf], stdout=log, stderr=log,
                            stdin=subprocess.DEVNULL, env=env)
    return proc, port


def wait_ready(proc, port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f'runzeo on port {port} exited with {proc.returncode}')
        try:
            socket.create_connection(('127.0.0.1', port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f'runzeo did not listen on port {port} within {timeout} s')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--msgpack', action='store_true')
    parser.add_argument('--backends', type=int, default=0)
    options = parser.parse_args()
    procs = []
    with tempfile.TemporaryDirectory(prefix='zeoraid-bench-') as directory:
        try:
            children = ''
            for i in range(1, options.backends + 1):
                proc, port = start(directory, f'backend{i}',
                                   f'<filestorage 1>\n  path {directory}/'
                                   f'backend{i}.fs\n</filestorage>\n',
                                   options.msgpack)
                procs.append((proc, port))
                children += (f'  <zeoclient {i}>\n    server 127.0.0.1:{port}'
                             f'\n  </zeoclient>\n')
            for proc, port in procs:
                wait_ready(proc, port)
            if not options.backends:
                children = ''.join(
                    f'  <filestorage {i}>\n    path {directory}/{i}.fs\n'
                    f'  </filestorage>\n' for i in (1, 2))
            raid, port = start(directory, 'raid',
                               '%import gocept.zeoraid\n<raidstorage 1>\n'
                               f'{children}</raidstorage>\n', options.msgpack)
            procs.insert(0, (raid, port))
            wait_ready(raid, port)
            print(f'127.0.0.1 {port} 1', flush=True)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            try:
                sys.stdin.read()
            except KeyboardInterrupt:
                pass
        finally:
            for proc, _ in procs:
                proc.kill()
                proc.wait()


if __name__ == '__main__':
    main()

"""A small RAID-1 storage for ZODB, used as the test peer of zeoraid.

`%import gocept.zeoraid` in a zeo.conf makes the `<raidstorage NAME>`
section available; see `component.xml`, `config.py` and `storage.py`.
It is a stand-in for the real server software only in the sense that it is
written from scratch: it speaks to real ZODB/ZEO storages and is served by a
real ZEO 6 `runzeo`.
"""

"""gocept.zeoraid, the project's RAID test peer (written from scratch).

`%import gocept.zeoraid` in a zeo.conf provides the `<raidstorage NAME>`
section (component.xml, config.py): a RAID-1 over real ZODB child storages
(storage.py), whose `raid_*` management methods a ZEO 6 `runzeo` serves
(zeo6.py).
"""

"""Serving `raid_*` through a ZEO 5/6 server.

ZEO 5+ dispatches only the method names in
`ZEO.StorageServer.registered_methods`, calling them on the connection's
`ZEOStorage`.  `install()` adds the RAID names there and gives `ZEOStorage`
methods that delegate to the registered storage.
"""

from ZEO import StorageServer

RAID_METHODS = ('raid_status', 'raid_details', 'raid_recover',
                'raid_disable', 'raid_reload')


def install():
    """Register the RAID methods with the ZEO server (idempotent)."""
    for name in RAID_METHODS:
        if not hasattr(StorageServer.ZEOStorage, name):
            setattr(StorageServer.ZEOStorage, name, _delegate(name))
        StorageServer.registered_methods.add(name)


def _delegate(name):
    def method(self, *args):
        target = getattr(self.storage, name, None)
        if target is None:
            raise ValueError(
                f'storage {self.storage_id!r} is not a RAID storage')
        return target(*args)

    method.__name__ = name
    return method

"""Copying the transactions a child storage misses from another one."""

from ZODB.Connection import TransactionMetaData
from ZODB.utils import p64, u64, z64


def last_transaction(storage):
    """The storage's last tid; z64 when it has none (yet)."""
    return storage.lastTransaction() or z64


def copy_missing(source, target, progress=None):
    """Copy the transactions after `target`'s last one from `source`.

    Records keep their tids (restore), so the copy is identical.  Calls
    `progress(count)` after each copied transaction; returns the count.
    """
    last = last_transaction(target)
    start = None if last == z64 else p64(u64(last) + 1)
    count = 0
    for info in source.iterator(start):
        txn = TransactionMetaData(info.user, info.description, info.extension)
        target.tpc_begin(txn, info.tid, info.status)
        try:
            for record in info:
                target.restore(record.oid, record.tid, record.data, '',
                               record.data_txn, txn)
            target.tpc_vote(txn)
            target.tpc_finish(txn)
        except BaseException:
            target.tpc_abort(txn)
            raise
        count += 1
        if progress is not None:
            progress(count)
    return count

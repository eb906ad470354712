"""RaidStorage: mirrors every write to all optimal child storages.

Children are kept in a dict name -> `Child`.  A child is `optimal` (open,
up to date, receives writes), `failed` (closed, with a reason) or
`recovering` (being brought up to date by a background thread).

Locks: `_commit_lock` is held from `tpc_begin` to `tpc_finish`/`tpc_abort`
(and by a recovery while it copies the last transactions); `_state` guards
the children's states and is only held briefly, never across I/O.
"""

import logging
import threading
import time

import zope.interface
import ZODB.interfaces
from ZEO.Exceptions import ClientDisconnected
from ZODB.POSException import StorageTransactionError
from ZODB.utils import newTid, p64, u64, z64

from . import recovery
from .recovery import last_transaction

log = logging.getLogger('gocept.zeoraid')

OPTIMAL = 'optimal'
FAILED = 'failed'
RECOVERING = 'recovering'

# Errors that mean "this backend is gone", as opposed to errors that are the
# caller's business (conflicts, missing keys, ...), which are passed on.
BACKEND_ERRORS = (ClientDisconnected, OSError, EOFError)


def _text(name):
    return name.decode('utf-8') if isinstance(name, bytes) else str(name)


class Child:
    """One child storage: how to open it, the open storage and its state."""

    def __init__(self, opener, storage=None, state=FAILED, reason=None):
        self.name = opener.name
        self.opener = opener
        self.storage = storage
        self.state = state
        self.reason = reason
        self.progress = None
        self.closer = None

    def details(self):
        if self.state == OPTIMAL:
            return OPTIMAL
        if self.state == RECOVERING:
            return f'{RECOVERING}: {self.progress}'
        return f'{FAILED}: {self.reason}'


@zope.interface.implementer(ZODB.interfaces.IStorage)
class RaidStorage:
    """A ZODB storage mirroring its children (see the module docstring).

    `reload_openers`, when given, returns the child openers currently
    configured for this RAID (used by `raid_reload`).
    """

    def __init__(self, name, openers, reload_openers=None, recovery_delay=0):
        self.__name__ = name
        self._reload_openers = reload_openers
        self._recovery_delay = recovery_delay
        self._state = threading.RLock()
        self._commit_lock = threading.Lock()
        self._oid_lock = threading.Lock()
        self._transaction = None
        self._txn_children = []
        self._tid = None
        self._oid = z64
        self._db = None
        self._children = {}
        for opener in openers:
            if opener.name in self._children:
                raise ValueError(
                    f'RAID {name!r}: two child storages named {opener.name!r}')
            self._children[opener.name] = self._open_child(opener)
        last = {c.name: last_transaction(c.storage)
                for c in self._children.values() if c.state == OPTIMAL}
        if not last:
            raise RuntimeError(
                f'RAID {name!r}: none of its storages could be opened')
        self._ltid = max(last.values())
        for child_name, tid in last.items():
            if tid != self._ltid:
                self._fail(self._children[child_name], 'missing transactions')

    def _open_child(self, opener):
        try:
            return Child(opener, opener.open(), OPTIMAL)
        except Exception as exc:
            log.exception('RAID %r: cannot open %r', self.__name__,
                          opener.name)
            return Child(opener, reason=f'could not open: {exc}')

    # Child states

    def _fail(self, child, reason):
        """Mark `child` failed and close its storage in the background."""
        with self._state:
            storage, child.storage = child.storage, None
            child.state, child.reason, child.progress = FAILED, reason, None
            txn = self._transaction if child in self._txn_children else None
        log.critical('RAID %r: storage %r failed: %s', self.__name__,
                     child.name, reason)
        if storage is not None:
            child.closer = threading.Thread(
                target=_close, args=(storage, txn), daemon=True,
                name=f'close {child.name}')
            child.closer.start()

    def _check_connected(self):
        """Fail optimal children whose ZEO backend has gone away."""
        for child in self._optimal():
            is_connected = getattr(child.storage, 'is_connected', None)
            if is_connected is not None and not is_connected():
                self._fail(child, 'backend disconnected')

    def _optimal(self):
        with self._state:
            return [c for c in self._children.values() if c.state == OPTIMAL]

    def _live(self):
        """The optimal children, after checking their connections."""
        self._check_connected()
        children = self._optimal()
        if not children:
            raise RuntimeError(f'RAID {self.__name__!r} is failed: '
                               'no optimal storage left')
        return children

    def _child(self, name):
        name = _text(name)
        with self._state:
            child = self._children.get(name)
            if child is None:
                known = ', '.join(repr(n) for n in self._children)
                raise ValueError(f'RAID {self.__name__!r} has no storage '
                                 f'{name!r} (it has {known})')
            return child

    # Calling children

    def _read(self, method, *args):
        """Call `method` on the first optimal child that answers."""
        while True:
            for child in self._live():
                try:
                    return getattr(child.storage, method)(*args)
                except BACKEND_ERRORS as exc:
                    self._fail(child, f'{method}: {type(exc).__name__}: '
                                      f'{exc}')

    def _each(self, children, method, *args):
        """Call `method` on each still optimal child of `children`."""
        results = []
        for child in children:
            if child.state != OPTIMAL:
                continue
            try:
                results.append(getattr(child.storage, method)(*args))
            except BACKEND_ERRORS as exc:
                self._fail(child, f'{method}: {type(exc).__name__}: {exc}')
        if not results:
            raise RuntimeError(f'RAID {self.__name__!r}: {method} failed on '
                               'every storage')
        return results

    def _write(self, method, txn, *args):
        if txn is not self._transaction:
            raise StorageTransactionError(self, txn)
        return self._each(self._txn_children, method, *args)

    # IStorage: reading

    def getName(self):
        return self.__name__

    def sortKey(self):
        return f'gocept.zeoraid:{self.__name__}'

    def isReadOnly(self):
        return False

    def supportsUndo(self):
        return False

    def registerDB(self, db):
        self._db = db

    def lastTransaction(self):
        return self._ltid

    def tpc_transaction(self):
        return self._transaction

    def __len__(self):
        return self._read('__len__')

    def getSize(self):
        return self._read('getSize')

    def load(self, oid, version=''):
        return self._read('load', oid)

    def loadBefore(self, oid, tid):
        return self._read('loadBefore', oid, tid)

    def loadSerial(self, oid, serial):
        return self._read('loadSerial', oid, serial)

    def getTid(self, oid):
        return self._read('getTid', oid)

    def history(self, oid, size=1):
        return self._read('history', oid, size)

    def iterator(self, start=None, stop=None):
        return self._read('iterator', start, stop)

    # IStorage: writing

    def new_oid(self):
        with self._oid_lock:
            oids = self._each(self._live(), 'new_oid')
            self._oid = max(oids + [p64(u64(self._oid) + 1)])
            return self._oid

    def tpc_begin(self, txn, tid=None, status=' '):
        if txn is self._transaction:
            raise StorageTransactionError('Duplicate tpc_begin calls for '
                                          'the same transaction')
        self._commit_lock.acquire()
        try:
            children = self._live()
            self._tid = newTid(self._ltid) if tid is None else tid
            self._transaction, self._txn_children = txn, children
            self._each(children, 'tpc_begin', txn, self._tid, status)
        except BaseException:
            if self._transaction is txn:
                self.tpc_abort(txn)
            else:
                self._commit_lock.release()
            raise

    def store(self, oid, serial, data, version, txn):
        self._write('store', txn, oid, serial, data, version, txn)

    def restore(self, oid, serial, data, version, prev_txn, txn):
        self._write('restore', txn, oid, serial, data, version, prev_txn, txn)

    def deleteObject(self, oid, serial, txn):
        self._write('deleteObject', txn, oid, serial, txn)

    def checkCurrentSerialInTransaction(self, oid, serial, txn):
        self._write('checkCurrentSerialInTransaction', txn, oid, serial, txn)

    def tpc_vote(self, txn):
        resolved = set()
        for oids in self._write('tpc_vote', txn, txn):
            resolved.update(oids or ())
        return list(resolved) or None

    def tpc_finish(self, txn, f=None):
        if txn is not self._transaction:
            raise StorageTransactionError(self, txn)
        try:
            finished = False
            for child in self._txn_children:
                if child.state != OPTIMAL:
                    continue
                try:
                    tid = child.storage.tpc_finish(txn)
                except Exception as exc:
                    self._fail(child, f'tpc_finish: {type(exc).__name__}: '
                                      f'{exc}')
                    continue
                if tid not in (None, self._tid):
                    self._fail(child, 'committed with a different tid')
                    continue
                finished = True
            if not finished:
                raise RuntimeError(f'RAID {self.__name__!r}: no storage '
                                   'committed the transaction')
            if f is not None:
                f(self._tid)
            self._ltid = self._tid
            return self._tid
        finally:
            self._end_transaction()

    def tpc_abort(self, txn):
        if txn is not self._transaction:
            return
        try:
            for child in self._txn_children:
                if child.state == OPTIMAL:
                    try:
                        child.storage.tpc_abort(txn)
                    except Exception:
                        log.exception('RAID %r: tpc_abort on %r',
                                      self.__name__, child.name)
        finally:
            self._end_transaction()

    def _end_transaction(self):
        self._transaction, self._txn_children = None, []
        self._commit_lock.release()

    def pack(self, t, referencesf):
        self._each(self._live(), 'pack', t, referencesf)

    def close(self):
        with self._state:
            storages = [c.storage for c in self._children.values()]
        for storage in storages:
            if storage is not None:
                _close(storage, None)

    # The RAID management API

    def raid_status(self):
        self._check_connected()
        with self._state:
            states = {c.state for c in self._children.values()}
        if RECOVERING in states:
            return RECOVERING
        if states == {OPTIMAL}:
            return OPTIMAL
        if OPTIMAL not in states:
            return FAILED
        return 'degraded'

    def raid_details(self):
        self._check_connected()
        with self._state:
            return {n: c.details() for n, c in self._children.items()}

    def raid_disable(self, name):
        child = self._child(name)
        with self._state:
            if child.state == OPTIMAL and self._optimal() == [child]:
                raise RuntimeError(f'refusing to disable {child.name!r}: it '
                                   'is the last optimal storage of RAID '
                                   f'{self.__name__!r}')
            self._fail(child, 'disabled by controller')
        return f'disabled {child.name!r}'

    def raid_recover(self, name):
        child = self._child(name)
        with self._state:
            if child.state == OPTIMAL:
                raise RuntimeError(f'storage {child.name!r} is optimal, '
                                   'there is nothing to recover')
            busy = [c.name for c in self._children.values()
                    if c.state == RECOVERING]
            if busy:
                raise RuntimeError(f'storage {busy[0]!r} is being recovered; '
                                   'recover one storage at a time')
            child.state, child.reason = RECOVERING, None
            child.progress = 'opening the storage'
        threading.Thread(target=self._recover, args=(child,), daemon=True,
                         name=f'recover {child.name}').start()
        return f'recovering {child.name!r}'

    def raid_reload(self):
        if self._reload_openers is None:
            raise RuntimeError('raid_reload needs the RAID to be served by '
                               'runzeo -C <zeo.conf>')
        configured = {o.name: o for o in self._reload_openers()}
        with self._state:
            removed = [c for n, c in self._children.items()
                       if n not in configured]
            if not [c for c in self._optimal() if c not in removed]:
                raise RuntimeError('refusing to reload: every optimal '
                                   'storage would be removed')
            for child in removed:
                del self._children[child.name]
                self._fail(child, 'removed by controller')
            for name, opener in configured.items():
                if name not in self._children:
                    self._children[name] = Child(
                        opener, reason='added by controller')

    # Recovery (runs in its own thread)

    def _recovering(self, child):
        with self._state:
            return (child.state == RECOVERING
                    and self._children.get(child.name) is child)

    def _recover(self, child):
        if child.closer is not None:
            child.closer.join(30)
        try:
            storage = child.opener.open()
        except Exception as exc:
            log.exception('RAID %r: cannot open %r', self.__name__, child.name)
            if self._recovering(child):
                self._fail(child, f'could not open: {exc}')
            return
        with self._state:
            if self._recovering(child):
                child.storage = storage
                storage = None
        if storage is not None:
            _close(storage, None)
            return
        try:
            self._catch_up(child)
        except Exception as exc:
            log.exception('RAID %r: recovery of %r', self.__name__,
                          child.name)
            if self._recovering(child):
                self._fail(child, f'recovery failed: {type(exc).__name__}: '
                                  f'{exc}')

    def _catch_up(self, child):
        copied = 0

        def progress(count):
            child.progress = f'{copied + count} transactions copied'

        def paced(count):
            progress(count)
            time.sleep(self._recovery_delay)

        for _ in range(10):
            if not self._recovering(child):
                return
            count = recovery.copy_missing(
                self._live()[0].storage, child.storage, paced)
            copied += count
            if not count:
                break
        with self._commit_lock:
            if not self._recovering(child):
                return
            recovery.copy_missing(
                self._live()[0].storage, child.storage, progress)
            last = last_transaction(child.storage)
            if last != self._ltid:
                raise RuntimeError(f'last transaction {u64(last)} differs '
                                   f'from the RAID\'s {u64(self._ltid)}')
            with self._state:
                if self._recovering(child):
                    child.state, child.progress = OPTIMAL, None
        log.info('RAID %r: storage %r recovered', self.__name__, child.name)


def _close(storage, txn):
    try:
        if txn is not None:
            storage.tpc_abort(txn)
        storage.close()
    except Exception:
        log.exception('closing a failed storage')

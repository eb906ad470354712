#!/usr/bin/env python3
"""Golden vectors for zeoraid's pickle and msgpack codecs, made by real Python.

How to regenerate (from the repository root):

    python3 -m venv /tmp/venv
    /tmp/venv/bin/pip install ZEO==6.2 msgpack     # brings ZODB and zodbpickle
    /tmp/venv/bin/python crates/core/tests/vectors/make_vectors.py

Optionally set PYTHON2 to a Python 2.7 interpreter (or have `python2.7` on
PATH): the Python 2 shapes are then also pickled by Python 2's own cPickle and
must come out byte for byte the same, e.g.

    PYTHON2=$(pyenv root)/versions/2.7.18/bin/python2.7 /tmp/venv/bin/python ...

The script writes `<name>.pickle` / `<name>.msgpack` next to itself and the
manifest `vectors.txt`, which `crates/core/tests/vectors.rs` reads (the Rust
test needs no Python). Each manifest entry is a `# comment` line, then

    <file> <check> <expected value in prefix notation>

`<check>` is `p1`, `p3` or `mp` when zeoraid's encoder (pickle protocol 1, 3,
msgpack) must reproduce the file byte for byte, `-` for decode-only vectors.
The notation is space-separated tokens: `none`, `true`, `false`, `int:<dec>`,
`big:<hex of little-endian two's complement>`, `float:<16 hex digits of the
IEEE bits>`, `str:<text>` and `bytes:<bytes>` (percent-encoded), `tuple:<n>`,
`list:<n>` (then n values), `dict:<n>` (then n key/value pairs),
`global:<module>:<name>` (percent-encoded), and `object:<nargs>:<0|1>` (then
the class, the arguments and, if 1, the state).

Where the vectors come from:

* ZEO 6 (`Z5` pickle protocol 3, `M5` msgpack): ZEO's own encoders from
  `ZEO.asyncio.marshal`, server side for replies, client side for calls.
* ZEO 3.10/4 on Python 2 (pickle protocol 1, `fast` mode, like zrpc's
  marshal): zodbpickle 4 no longer has its `binary` type, so a small subclass
  of Python's pure pickler writes Python 2 `str` (class `S`) as
  SHORT_BINSTRING/BINSTRING/STRING, Python 2 exception reduction
  (`(class, args[, __dict__])`) and classic-class instances (INST/OBJ), exactly
  as Python 2's pickle did; the optional PYTHON2 run above proves it.
* Python 3 quirks: `bytes` below protocol 3 (`_codecs.encode`), memo sharing,
  protocol 0 text forms, protocol 4 framing, NEWOBJ.
* `RUST_ENCODINGS` below: bytes zeoraid's encoder produced, pasted as hex from
  `cargo test -p zeoraid-core --test vectors -- --ignored --nocapture`. They
  are checked here against `pickle.loads`, ZEO's own decoders and
  `msgpack.unpackb`, and written out as vectors so the Rust test notices when
  the encoder changes.
"""

import io
import math
import os
import pickle
import pickletools
import shutil
import struct
import subprocess
import sys

import msgpack
import ZODB.POSException
from ZEO.asyncio import marshal
from ZEO.asyncio.server import reduce_exception

HERE = os.path.dirname(os.path.abspath(__file__))

RUST_ENCODINGS = {
    # (1, 0, 'register', ('1', True)) and (2, 0, 'raid_status', ())
    "rust_register_p3": "8003284b014b00580800000072656769737465725801000000318886742e",
    "rust_raid_status_p3": "8003284b024b00580b000000726169645f73746174757329742e",
    "rust_register_mp": "940100a8726567697374657292a131c3",
    "rust_raid_status_mp": "940200ab726169645f73746174757390",
    # the register call for a Python 2 server
    "rust_register_p1": "284b014b0058080000007265676973746572285801000000314930310a74742e",
}


# --- the expected values, in the manifest's notation ------------------------


class G:
    """A global name, as the decoder yields it."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __repr__(self):
        return "%s.%s" % (self.module, self.name)


class O:
    """A recorded call: class, arguments and BUILD state."""

    def __init__(self, cls, args, state=None):
        self.cls, self.args, self.state = cls, args, state

    def __repr__(self):
        name = getattr(self.cls, "__qualname__", self.cls)
        state = "" if self.state is None else " state=%r" % (self.state,)
        return "<call %s%r%s>" % (name, tuple(self.args), state)


SAFE = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def pct(data):
    return "".join(chr(b) if b in SAFE else "%%%02X" % b for b in data)


def tokens(v):
    """The manifest tokens of the value `v` decodes to."""
    if v is None:
        return ["none"]
    if v is True or v is False:
        return [str(v).lower()]
    if isinstance(v, int):
        if -(2**63) <= v < 2**63:
            return ["int:%d" % v]
        return ["big:" + pickle.encode_long(v).hex()]
    if isinstance(v, float):
        return ["float:%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]]
    if isinstance(v, str):
        return ["str:" + pct(v.encode("utf-8"))]
    if isinstance(v, bytes):
        return ["bytes:" + pct(v)]
    if isinstance(v, (tuple, list)):
        kind = "tuple" if isinstance(v, tuple) else "list"
        return ["%s:%d" % (kind, len(v))] + [t for item in v for t in tokens(item)]
    if isinstance(v, dict):
        out = ["dict:%d" % len(v)]
        for key, value in v.items():
            out += tokens(key) + tokens(value)
        return out
    if isinstance(v, G):
        return ["global:%s:%s" % (pct(v.module.encode()), pct(v.name.encode()))]
    if isinstance(v, O):
        head = ["object:%d:%d" % (len(v.args), v.state is not None)]
        rest = tokens(v.cls) + [t for a in v.args for t in tokens(a)]
        return head + rest + (tokens(v.state) if v.state is not None else [])
    if isinstance(v, type) or callable(v):
        return tokens(G(v.__module__, v.__qualname__))
    if isinstance(v, BaseException) or getattr(type(v), "_classic", False):
        return tokens(py2_meaning(v))
    raise TypeError("no notation for %r" % (v,))


# --- Python 2 shapes ----------------------------------------------------------


class S(bytes):
    """A Python 2 `str`: pickled as SHORT_BINSTRING/BINSTRING/STRING."""

    def __new__(cls, text):
        return super().__new__(cls, text.encode("latin-1"))


def py2_repr(data):
    """Python 2's repr() of a str, as protocol 0's STRING writes it."""
    quote = b'"' if b"'" in data and b'"' not in data else b"'"
    out = quote
    for c in data:
        ch = bytes([c])
        if ch in (quote, b"\\"):
            out += b"\\" + ch
        elif ch in b"\t\n\r":
            out += {b"\t": b"\\t", b"\n": b"\\n", b"\r": b"\\r"}[ch]
        elif c < 0x20 or c >= 0x7F:
            out += b"\\x%02x" % c
        else:
            out += ch
    return out + quote


def py2_state(obj):
    """An instance __dict__ as Python 2 held it (attribute names are str)."""
    return {S(k): v for k, v in obj.__dict__.items()}


def py2_meaning(obj):
    """What a Python 2 exception or classic instance pickles as."""
    state = py2_state(obj) or None
    if isinstance(obj, BaseException):
        return O(type(obj), obj.args, state)
    return O(type(obj), obj.__getinitargs__(), state or {})


class Py2Pickler(pickle._Pickler):
    """Python's pure pickler taught Python 2's str, exceptions and classic
    instances."""

    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2_str(self, obj):
        data = bytes(obj)
        if not self.bin:
            self.write(b"S" + py2_repr(data) + b"\n")
        elif len(data) < 256:
            self.write(b"U" + bytes([len(data)]) + data)
        else:
            self.write(b"T" + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[S] = save_py2_str

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, BaseException):
            meaning = py2_meaning(obj)
            args = (meaning.cls, tuple(meaning.args))
            state = meaning.state
            self.save_reduce(*args, *((state,) if state else ()), obj=obj)
        elif getattr(type(obj), "_classic", False) and not isinstance(obj, type):
            self.save_inst(obj)
        else:
            super().save(obj, save_persistent_id)

    def save_inst(self, obj):
        args = obj.__getinitargs__()
        if not self.fast:
            # Python 2 kept the arguments alive in the memo, using up an index.
            self.memo.setdefault(id(self.memo), (None, [args]))
        self.write(b"(")
        if self.bin:
            self.save(type(obj))
            for arg in args:
                self.save(arg)
            self.write(b"o")
        else:
            for arg in args:
                self.save(arg)
            cls = type(obj)
            self.write(b"i%s\n%s\n" % (cls.__module__.encode(), cls.__name__.encode()))
        self.memoize(obj)
        self.save(py2_state(obj))
        self.write(b"b")


def py2_pickle(obj, protocol, fast):
    f = io.BytesIO()
    pickler = Py2Pickler(f, protocol)
    pickler.fast = fast
    pickler.dump(obj)
    return f.getvalue()


# Run by Python 3 (with S, the real ZODB StorageError) and, for the cross-check,
# by Python 2 (S = str, fake ZODB module): one source, the same objects.
LEGACY_SOURCE = r'''
class OldError:
    """A classic class (in Python 2) raised as an exception."""
    _classic = True
    def __init__(self, msg):
        self.msg = msg
        self.code = 3
    def __getinitargs__(self):
        return (self.msg,)
    def __repr__(self):
        return 'OldError(%r)' % (self.msg,)

OldError.__module__ = 'myapp'


def legacy_messages(S, StorageError):
    disabled = StorageError(S('storage disabled'))
    disabled.reason = S('disabled by controller')
    status = {S('1'): S('optimal'), S('2'): S('failed: disabled by controller')}
    text = S('it\'s "quoted" \\ \n\t\x00\xff')
    unicode_text = u'caf\xe9 \\ \n \u20ac \U0001f600'
    return [
        ('legacy_reply_str', 1, 1, 'p1', (1, 0, S('.reply'), S('optimal'))),
        ('legacy_reply_dict', 1, 1, 'p1', (2, 0, S('.reply'), status)),
        ('legacy_reply_none', 1, 1, 'p1', (3, 0, S('.reply'), None)),
        ('legacy_reply_long', 1, 1, 'p1', (4, 0, S('.reply'), (2 ** 70, -2 ** 70, S('x' * 300)))),
        ('legacy_register', 1, 1, 'p1', (1, 0, S('register'), (S('1'), False))),
        ('legacy_error', 1, 1, 'p1',
         (7, 0, S('.reply'), (StorageError, StorageError(S('no such storage'))))),
        ('legacy_error_state', 1, 1, 'p1', (8, 0, S('.reply'), (StorageError, disabled))),
        ('legacy_oldstyle_obj', 1, 1, '-', (9, 0, S('.reply'), (OldError, OldError(S('boom'))))),
        ('legacy_oldstyle_inst', 0, 0, '-', (9, 0, S('.reply'), (OldError, OldError(S('boom'))))),
        ('legacy_p0_values', 0, 0, '-',
         (text, unicode_text, 42, -7, 2 ** 70, 0.1, True, False, None, [1, 2], {S('k'): 1})),
    ]
'''

PYTHON2_DRIVER = r'''
import cPickle, pickle, sys, types
zodb = types.ModuleType('ZODB')
pos = types.ModuleType('ZODB.POSException')
class StorageError(Exception):
    pass
StorageError.__module__ = 'ZODB.POSException'
pos.StorageError = StorageError
zodb.POSException = pos
myapp = types.ModuleType('myapp')
sys.modules.update({'ZODB': zodb, 'ZODB.POSException': pos, 'myapp': myapp})
exec(SOURCE)
myapp.OldError = OldError
for name, protocol, fast, check, obj in legacy_messages(str, StorageError):
    if fast:
        pickler = cPickle.Pickler(protocol)
        pickler.fast = 1
        pickler.dump(obj)
        data = pickler.getvalue()
    else:
        data = pickle.dumps(obj, protocol)
    print('%s %s' % (name, data.encode('hex')))
'''


def legacy_vectors():
    namespace = {}
    exec(LEGACY_SOURCE, namespace)
    myapp = type(sys)("myapp")
    myapp.OldError = namespace["OldError"]
    sys.modules["myapp"] = myapp
    messages = namespace["legacy_messages"](S, ZODB.POSException.StorageError)
    made = {}
    for name, protocol, fast, check, obj in messages:
        made[name] = (py2_pickle(obj, protocol, fast), check, obj)
    cross_check_with_python2(made)
    return made


def find_python2():
    """$PYTHON2 (which must work), else a working `python2.7` on PATH."""
    explicit = os.environ.get("PYTHON2")
    python2 = explicit or shutil.which("python2.7")
    if not python2:
        return None
    probe = [python2, "-c", "import sys; assert sys.version_info[:2] == (2, 7)"]
    if subprocess.run(probe, capture_output=True).returncode != 0:
        if explicit:
            raise SystemExit("PYTHON2=%s is not a working Python 2.7" % explicit)
        return None
    return python2


def cross_check_with_python2(made):
    python2 = find_python2()
    if not python2:
        print("no Python 2.7 (set PYTHON2): legacy vectors not cross-checked")
        return
    source = "SOURCE = %r\n%s" % (LEGACY_SOURCE, PYTHON2_DRIVER)
    output = subprocess.run(
        [python2, "-c", source], check=True, capture_output=True, text=True
    ).stdout
    for line in output.splitlines():
        name, hexdata = line.split()
        data = bytes.fromhex(hexdata)
        if data != made[name][0]:
            raise SystemExit(
                "%s differs from Python 2:\n  py2 %r\n  py3 %r" % (name, data, made[name][0])
            )
    print("legacy vectors are byte for byte what Python 2 writes", flush=True)


# --- everything else ----------------------------------------------------------


class Thing:
    """A plain class, pickled at protocol 2 with NEWOBJ."""


def zeo6_vectors():
    reply = marshal.encoder(b"Z5", server=True)
    call = marshal.encoder(b"Z5")
    mreply = marshal.encoder(b"M5", server=True)
    mcall = marshal.encoder(b"M5")
    error = reduce_exception(ZODB.POSException.StorageError("no such storage"))
    status = {"1": "optimal", "2": "failed: disabled by controller"}
    details = (
        [("1", "optimal"), ("2", "degraded")],
        {"size": 123456789012, "ratio": 0.25, "tid": b"\x03\xd2\x00\x00\x00\x00\x00\x01"},
        -70000,
    )
    big = (2**64 - 1, 2**63, -(2**63), 1.5, b"\x00\xff", "é" * 40, "y" * 300, b"z" * 300)
    collections = ({str(i): i for i in range(20)}, tuple(range(40)))
    return {
        "zeo6_reply_str": (reply(1, 0, ".reply", "optimal"), "p3", (1, 0, ".reply", "optimal")),
        "zeo6_reply_dict": (reply(2, 0, ".reply", status), "p3", (2, 0, ".reply", status)),
        "zeo6_reply_none": (reply(3, 0, ".reply", None), "p3", (3, 0, ".reply", None)),
        "zeo6_reply_details": (reply(4, 0, ".reply", details), "p3", (4, 0, ".reply", details)),
        "zeo6_error": (reply(5, 2, ".reply", error), "p3", (5, 2, ".reply", error)),
        "zeo6_heartbeat": (reply(-1, 0, ".reply", None), "p3", (-1, 0, ".reply", None)),
        "zeo6_call_register": (
            call(1, False, "register", ("1", True)),
            "p3",
            (1, False, "register", ("1", True)),
        ),
        "zeo6_reply_str.m": (mreply(1, 0, ".reply", "optimal"), "mp", (1, 0, ".reply", "optimal")),
        "zeo6_reply_dict.m": (mreply(2, 0, ".reply", status), "mp", (2, 0, ".reply", status)),
        "zeo6_reply_none.m": (mreply(3, 0, ".reply", None), "mp", (3, 0, ".reply", None)),
        "zeo6_error.m": (mreply(5, 2, ".reply", error), "mp", (5, 2, ".reply", error)),
        "zeo6_call_register.m": (
            mcall(1, False, "register", ("1", True)),
            "mp",
            (1, False, "register", ("1", True)),
        ),
        "zeo6_reply_uint64.m": (mreply(6, 0, ".reply", big), "mp", (6, 0, ".reply", big)),
        "zeo6_reply_collections.m": (
            mreply(7, 0, ".reply", collections),
            "mp",
            (7, 0, ".reply", collections),
        ),
        "float32.m": (
            msgpack.packb((0.1, -2.5), use_single_float=True),
            "-",
            (struct.unpack("<f", struct.pack("<f", 0.1))[0], -2.5),
        ),
    }


def python3_vectors():
    shared = [1, 2]
    odd = (b"\x00\xffbinary", b"", "x")
    floats = (0.1, -0.0, math.inf, -math.inf, math.nan, 1e300)
    mixed = (
        "caf\xe9 \\ \n \u20ac \U0001f600",
        [1, -1, 2**31, 2**70, -(2**70)],
        {"k": [None, True, False]},
        floats,
    )
    thing = Thing()
    thing.a = 1
    exc = ZODB.POSException.StorageError("no such storage")
    recon, (cls, state) = exc.__reduce__()
    p4 = ({1, 2, 3}, frozenset([4]), "short", ZODB.POSException.StorageError)
    return {
        "py3_bytes_p2": (pickle.dumps(odd, 2), "-", odd),
        "py3_bytes_p1": (pickle.dumps(odd, 1), "-", odd),
        "py3_bytes_p0": (pickle.dumps(odd, 0), "-", odd),
        "py3_memo_shared": (
            pickle.dumps((shared, shared, {"a": shared}), 2),
            "-",
            (shared, shared, {"a": shared}),
        ),
        "py3_mixed_p0": (pickle.dumps(mixed, 0), "-", mixed),
        "py3_mixed_p2": (pickle.dumps(mixed, 2), "-", mixed),
        "py3_mixed_p3": (pickle.dumps(mixed, 3), "-", mixed),
        "py3_p4": (
            pickle.dumps(p4, 4),
            "-",
            ([1, 2, 3], [4], "short", ZODB.POSException.StorageError),
        ),
        "py3_newobj_p2": (pickle.dumps(thing, 2), "-", O(Thing, (), {"a": 1})),
        "zodb_error_p3": (pickle.dumps(exc, 3), "-", O(recon, (cls, state))),
    }


def rust_vectors():
    calls = {
        "register": (1, 0, "register", ("1", True)),
        "raid_status": (2, 0, "raid_status", ()),
    }
    made = {}
    for name, hexdata in RUST_ENCODINGS.items():
        data = bytes.fromhex(hexdata)
        codec = name[-2:]
        call = calls[name[len("rust_") : -3]]
        if codec == "mp":
            decoded = msgpack.unpackb(data, raw=False, use_list=False)
            assert decoded == marshal.decoder(b"M5")(data) == call, (name, decoded)
            assert data == msgpack.packb(call, use_bin_type=True), name
            made[name + ".m"] = (data, "mp", call)
        else:
            protocol = int(codec[1])
            assert pickle.loads(data) == call, name
            assert marshal.pickle_server_decode(data) == call, name
            f = io.BytesIO()
            pickler = pickle.Pickler(f, protocol)
            pickler.fast = True
            pickler.dump(call)
            assert data == f.getvalue(), (name, f.getvalue())
            made[name] = (data, codec, call)
    return made


# Vectors whose pickle.loads() is not the plain data of their expected value.
NOT_PLAIN = {
    "py3_p4",
    "py3_newobj_p2",
    "zodb_error_p3",
    "legacy_error_state",
    "legacy_oldstyle_obj",
    "legacy_oldstyle_inst",
}


def main():
    vectors = {}
    vectors.update(zeo6_vectors())
    vectors.update(legacy_vectors())
    vectors.update(python3_vectors())
    vectors.update(rust_vectors())
    for name in os.listdir(HERE):
        if name.endswith((".pickle", ".msgpack")):
            os.remove(os.path.join(HERE, name))
    lines = ["# Golden vectors written by make_vectors.py; do not edit by hand.", ""]
    for name, (data, check, expected) in sorted(vectors.items()):
        msgpack_vector = name.endswith(".m")
        if msgpack_vector:
            loaded = msgpack.unpackb(data, raw=False, use_list=False)
        else:
            try:
                pickletools.dis(data, out=io.StringIO())
            except UnicodeDecodeError:
                assert name == "legacy_p0_values"  # pickletools wants ASCII STRINGs
            loaded = None if name in NOT_PLAIN else pickle.loads(data, encoding="bytes")
        if loaded is not None:
            assert repr(loaded) == repr(expected), (name, loaded, expected)
        filename = name[:-2] + ".msgpack" if msgpack_vector else name + ".pickle"
        with open(os.path.join(HERE, filename), "wb") as f:
            f.write(data)
        shown = repr(expected)
        lines.append("# " + (shown if len(shown) < 200 else shown[:197] + "..."))
        lines.append(" ".join([filename, check] + tokens(expected)))
    with open(os.path.join(HERE, "vectors.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %d vectors to %s" % (len(vectors), HERE))


if __name__ == "__main__":
    main()

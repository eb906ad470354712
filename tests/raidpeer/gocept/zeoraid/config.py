"""The ZConfig side: opening a `<raidstorage>` and re-reading zeo.conf."""

import functools
import os
import sys

import ZConfig
import ZEO
import ZODB.config

from . import storage, zeo6


class RaidStorageConfig(ZODB.config.BaseConfig):
    """Datatype of the `<raidstorage NAME>` section (see component.xml)."""

    def open(self, database_name='unnamed', databases=None):
        zeo6.install()
        path = server_config_path()
        reload_openers = None
        if path is not None:
            reload_openers = functools.partial(child_openers, path, self.name)
        return storage.RaidStorage(self.name, self.config.storages,
                                   reload_openers,
                                   self.config.recovery_delay)


def server_config_path():
    """The zeo.conf the running runzeo was started with, or None.

    Taken from the `ZEOServer` on the call stack (runzeo's options), else
    from `-C`/`--configure` in sys.argv.
    """
    frame = sys._getframe(1)
    while frame is not None:
        server = frame.f_locals.get('self')
        if type(server).__name__ == 'ZEOServer':
            path = getattr(server.options, 'configfile', None)
            if path:
                return os.path.abspath(path)
        frame = frame.f_back
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg in ('-C', '--configure') and i + 1 < len(args):
            return os.path.abspath(args[i + 1])
        if arg.startswith('--configure='):
            return os.path.abspath(arg.split('=', 1)[1])
        if arg.startswith('-C') and len(arg) > 2:
            return os.path.abspath(arg[2:])
    return None


def child_openers(path, name):
    """The child storage openers configured now for `<raidstorage name>`."""
    schema = ZConfig.loadSchema(
        os.path.join(os.path.dirname(ZEO.__file__), 'schema.xml'))
    try:
        config, _ = ZConfig.loadConfig(schema, path)
    except ZConfig.ConfigurationError as exc:
        raise RuntimeError(f'cannot reload {path}: {exc}') from None
    for opener in config.storages:
        if opener.name == name or (opener.name is None and name == '1'):
            if not isinstance(opener, RaidStorageConfig):
                raise RuntimeError(f'storage {name!r} in {path} is no '
                                   'longer a <raidstorage>')
            return opener.config.storages
    raise RuntimeError(f'{path} has no <raidstorage {name}> section any more')

//! ZConfig, schemaless: the parser and renderer for `zeo.conf` and `zdaemon.conf`.

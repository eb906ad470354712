//! Ready-made RAID set-ups: a RAID server over file storages, or over
//! backend ZEO servers.
//!
//! Children are numbered from 1; the number is also the child's section
//! name (`<filestorage 2>`, `<zeoclient 2>`), as `raid_*` calls name them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::python;
use super::zeo::ZeoServer;

/// The RAID storage's name on the RAID server.
pub const STORAGE: &str = "1";

/// A RAID server (serving `<raidstorage 1>`) and, for `backends`, the
/// backend servers of its `<zeoclient>` children.
pub struct RaidWorld {
    raid: Option<ZeoServer>,
    backends: BTreeMap<usize, ZeoServer>,
    msgpack: bool,
}

impl RaidWorld {
    /// A RAID server over two `<filestorage>` children (`$dir/1.fs`, `2.fs`).
    pub fn filestorages(msgpack: bool) -> Self {
        let world = RaidWorld {
            raid: None,
            backends: BTreeMap::new(),
            msgpack,
        };
        world.with_raid(&[1, 2])
    }

    /// `n` backend servers, each serving a FileStorage as storage `1`, and a
    /// RAID server over `<zeoclient>` children pointing at them.
    pub fn backends(n: usize, msgpack: bool) -> Self {
        let mut spawned: Vec<ZeoServer> = (0..n)
            .map(|_| ZeoServer::spawn(&backend_conf(msgpack)))
            .collect();
        spawned.iter_mut().for_each(ZeoServer::wait_ready);
        let world = RaidWorld {
            raid: None,
            backends: (1..).zip(spawned).collect(),
            msgpack,
        };
        let children: Vec<usize> = world.backends.keys().copied().collect();
        world.with_raid(&children)
    }

    fn with_raid(mut self, children: &[usize]) -> Self {
        self.raid = Some(ZeoServer::start(&self.raid_conf(children)));
        self
    }

    /// zeo.conf text for the RAID server with the given children (file
    /// storages in the RAID server's directory, or the backends by number).
    pub fn raid_conf(&self, children: &[usize]) -> String {
        let mut conf = format!(
            "<zeo>\n  address 127.0.0.1:$port\n  msgpack {}\n</zeo>\n\
             %import gocept.zeoraid\n<raidstorage {STORAGE}>\n",
            self.msgpack
        );
        for child in children {
            if self.backends.is_empty() {
                conf += &format!(
                    "  <filestorage {child}>\n    path $dir/{child}.fs\n  </filestorage>\n"
                );
            } else {
                conf += &format!(
                    "  <zeoclient {child}>\n    server 127.0.0.1:{}\n    storage 1\n  </zeoclient>\n",
                    self.backend(*child).port()
                );
            }
        }
        conf + "</raidstorage>\n"
    }

    /// Rewrites the RAID server's zeo.conf with these children (for
    /// `raid_reload`).
    pub fn write_raid_conf(&self, children: &[usize]) {
        self.raid().write_conf(&self.raid_conf(children));
    }

    /// Starts one more backend server (not yet in the RAID's zeo.conf) and
    /// returns its child number.
    pub fn add_backend(&mut self) -> usize {
        assert!(
            !self.backends.is_empty(),
            "add_backend needs a backends world"
        );
        let number = self.backends.keys().last().copied().unwrap_or(0) + 1;
        let server = ZeoServer::start(&backend_conf(self.msgpack));
        self.backends.insert(number, server);
        number
    }

    /// The RAID server.
    pub fn raid(&self) -> &ZeoServer {
        self.raid.as_ref().expect("the RAID server")
    }

    /// The RAID server, e.g. to kill it.
    pub fn raid_mut(&mut self) -> &mut ZeoServer {
        self.raid.as_mut().expect("the RAID server")
    }

    /// The RAID server's port.
    pub fn port(&self) -> u16 {
        self.raid().port()
    }

    /// The RAID server's zeo.conf.
    pub fn conf_path(&self) -> PathBuf {
        self.raid().conf_path()
    }

    /// The RAID storage's name (`1`).
    pub fn storage(&self) -> &'static str {
        STORAGE
    }

    /// Whether the ZEO protocol is msgpack (`M5`) rather than pickle (`Z5`).
    pub fn msgpack(&self) -> bool {
        self.msgpack
    }

    /// The backend server of child `child`.
    pub fn backend(&self, child: usize) -> &ZeoServer {
        self.backends
            .get(&child)
            .unwrap_or_else(|| panic!("no backend server for child {child}"))
    }

    /// The backend server of child `child`, e.g. to kill it.
    pub fn backend_mut(&mut self, child: usize) -> &mut ZeoServer {
        self.backends
            .get_mut(&child)
            .unwrap_or_else(|| panic!("no backend server for child {child}"))
    }

    /// Commits `root[key] = value` through the RAID server with a real
    /// ZODB + ZEO 6 client.
    pub fn commit_object(&self, key: &str, value: &str) {
        python::run_ok(
            include_str!("py/commit.py"),
            &["127.0.0.1", &self.port().to_string(), STORAGE, key, value],
        );
    }

    /// `root[key]` as stored on child `child` itself (read-only FileStorage
    /// next to the server's, or a direct client of the backend), if present.
    pub fn child_value(&self, child: usize, key: &str) -> Option<String> {
        let port;
        let path;
        let args: Vec<&str> = if self.backends.is_empty() {
            path = self.raid().dir().join(format!("{child}.fs"));
            vec!["file", path.to_str().expect("UTF-8 temp path"), key]
        } else {
            port = self.backend(child).port().to_string();
            vec!["zeo", "127.0.0.1", &port, "1", key]
        };
        let output = python::run(include_str!("py/read_key.py"), &args);
        match output.status.code() {
            Some(0) => Some(
                String::from_utf8_lossy(&output.stdout)
                    .trim_end()
                    .to_owned(),
            ),
            Some(4) => None,
            _ => panic!(
                "cannot read {key:?} from child {child} ({})\n{}",
                output.status,
                python::output_text(&output)
            ),
        }
    }

    /// Whether child `child` holds `root[key]`.
    pub fn child_has(&self, child: usize, key: &str) -> bool {
        self.child_value(child, key).is_some()
    }

    /// `raid_status()` through the Python client.
    pub fn status(&self) -> String {
        python::raid_call(self.port(), STORAGE, "raid_status", &[])
    }

    /// `raid_details()` through the Python client.
    pub fn details(&self) -> BTreeMap<String, String> {
        python::raid_details(self.port(), STORAGE)
    }

    /// Any `raid_*` call through the Python client; `Err` is the server's
    /// exception as `Class: message`.
    pub fn call(&self, method: &str, args: &[&str]) -> Result<String, String> {
        python::raid_try(self.port(), STORAGE, method, args)
    }
}

impl Drop for RaidWorld {
    /// Stops the RAID server before its backends.
    fn drop(&mut self) {
        self.raid = None;
    }
}

/// zeo.conf of a backend server: a FileStorage served as storage `1`.
fn backend_conf(msgpack: bool) -> String {
    format!(
        "<zeo>\n  address 127.0.0.1:$port\n  msgpack {msgpack}\n</zeo>\n\
         <filestorage 1>\n  path $dir/data.fs\n</filestorage>\n"
    )
}

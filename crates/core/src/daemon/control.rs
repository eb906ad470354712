//! zdaemon's control socket protocol, both ends.
//!
//! A client connects to the unix socket `socket-name`, writes one command
//! line (`status\n`), shuts down its writing half and reads the reply until
//! the supervisor closes the connection. `status` answers with `key=value`
//! lines; `application=<pid>` (0 when the program is not running) is the
//! line every zdaemon client looks for.

use std::io::{self, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Longest command line the supervisor accepts, as zdaemon.
pub const MAX_COMMAND: usize = 10_000;

/// How long either end waits for the other before giving up.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends `command` to the supervisor listening on `socket` and returns its
/// reply, or `None` when no supervisor answers (as zdaemon's client does).
pub fn send(socket: &Path, command: &str) -> Option<String> {
    exchange(UnixStream::connect(socket).ok()?, command, IO_TIMEOUT)
}

fn exchange(mut stream: UnixStream, command: &str, timeout: Duration) -> Option<String> {
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    stream.write_all(format!("{command}\n").as_bytes()).ok()?;
    stream.shutdown(std::net::Shutdown::Write).ok()?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).ok()?;
    Some(String::from_utf8_lossy(&reply).into_owned())
}

/// What a `status` reply says about the program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// The program's pid; 0 when it is not running.
    pub pid: u32,
    /// Whether the supervisor means to keep the program running.
    pub should_be_up: bool,
    /// Whether the start test program is still running.
    pub testing: bool,
    /// The supervisor's pid, when reported.
    pub manager: Option<u32>,
    /// The reply as received.
    pub raw: String,
}

impl Status {
    /// Reads a `status` reply; `None` when it has no `application=` line
    /// (then it did not come from a supervisor).
    pub fn parse(reply: &str) -> Option<Status> {
        let field = |key: &str| {
            reply
                .lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .map(str::trim_end)
        };
        let number = |key: &str| field(key).and_then(|v| v.parse::<u32>().ok());
        Some(Status {
            pid: number("application")?,
            should_be_up: number("should_be_up") != Some(0),
            testing: number("testing").is_some_and(|v| v != 0),
            manager: number("manager"),
            raw: reply.to_owned(),
        })
    }
}

/// Asks the supervisor on `socket` for its status; `None` when none answers.
pub fn status(socket: &Path) -> Option<Status> {
    send(socket, "status").as_deref().and_then(Status::parse)
}

/// One command as the supervisor received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// The words of the first line.
    Command(Vec<String>),
    /// A blank first line.
    Empty,
    /// The client closed the connection before sending a newline.
    Unterminated,
    /// More than [`MAX_COMMAND`] bytes without a newline.
    TooLong,
}

impl Request {
    /// Reads one command line from a client.
    pub fn read(stream: &mut impl Read) -> io::Result<Request> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 1000];
        loop {
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                return Ok(Request::Unterminated);
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = buf.iter().position(|b| *b == b'\n') {
                let line = String::from_utf8_lossy(&buf[..end]);
                let words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
                return Ok(if words.is_empty() {
                    Request::Empty
                } else {
                    Request::Command(words)
                });
            }
            if buf.len() > MAX_COMMAND {
                return Ok(Request::TooLong);
            }
        }
    }
}

/// Writes a reply, adding the final newline zdaemon always sends.
pub fn reply(stream: &mut impl Write, message: &str) -> io::Result<()> {
    stream.write_all(message.as_bytes())?;
    if !message.ends_with('\n') {
        stream.write_all(b"\n")?;
    }
    stream.flush()
}

/// The supervisor's listening socket; dropping it removes the socket file
/// (when it is still ours).
pub struct ControlSocket {
    /// The listener.
    pub listener: UnixListener,
    path: PathBuf,
    identity: (u64, u64),
}

/// Outcome of checking who holds a socket path.
enum Holder {
    Alive(String),
    Stale,
    Gone,
}

fn holder(path: &Path) -> Result<Holder, String> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Holder::Gone),
        Err(e) => return Err(format!("can't inspect '{}': {e}", path.display())),
        Ok(m) if !m.file_type().is_socket() => {
            return Err(format!("'{}' exists and is not a socket", path.display()))
        }
        Ok(_) => {}
    }
    match UnixStream::connect(path) {
        Ok(stream) => Ok(Holder::Alive(
            exchange(stream, "status", Duration::from_secs(2)).unwrap_or_default(),
        )),
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => Ok(Holder::Stale),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Holder::Gone),
        Err(e) => Err(format!("can't connect to '{}': {e}", path.display())),
    }
}

impl ControlSocket {
    /// Creates the control socket at `path`, readable and writable only by
    /// its owner (mode 0600). The socket is bound under a temporary name,
    /// restricted, then linked into place, so it never appears with a wider
    /// mode and two supervisors can't both claim it. A socket left behind by
    /// a crashed supervisor (connecting is refused) is removed; `warn` is
    /// told about it. A live supervisor on `path` is an error.
    pub fn bind(path: &Path, warn: &mut dyn FnMut(&str)) -> Result<ControlSocket, String> {
        let temp = PathBuf::from(format!("{}.{}", path.display(), std::process::id()));
        for _ in 0..10 {
            let _ = std::fs::remove_file(&temp);
            let listener = UnixListener::bind(&temp)
                .map_err(|e| format!("can't create socket '{}': {e}", temp.display()))?;
            let claimed = std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o600))
                .and_then(|()| std::fs::hard_link(&temp, path));
            let meta = std::fs::metadata(&temp);
            let _ = std::fs::remove_file(&temp);
            match claimed {
                Ok(()) => {
                    let meta =
                        meta.map_err(|e| format!("can't inspect '{}': {e}", path.display()))?;
                    return Ok(ControlSocket {
                        listener,
                        path: path.to_path_buf(),
                        identity: (meta.dev(), meta.ino()),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    drop(listener);
                    match holder(path)? {
                        Holder::Alive(status) => {
                            return Err(format!(
                                "another daemon manager is already up using socket '{}':\n{}",
                                path.display(),
                                status.trim_end()
                            ))
                        }
                        Holder::Stale => {
                            warn(&format!("Unlinking stale socket {}", path.display()));
                            let _ = std::fs::remove_file(path);
                        }
                        Holder::Gone => {}
                    }
                }
                Err(e) => return Err(format!("can't create socket '{}': {e}", path.display())),
            }
        }
        Err(format!(
            "can't claim socket '{}': it keeps reappearing",
            path.display()
        ))
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ControlSocket {
    fn drop(&mut self) {
        let ours = std::fs::symlink_metadata(&self.path)
            .is_ok_and(|m| (m.dev(), m.ino()) == self.identity);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn temp_socket(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("zeoraid-ctl-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("zd.sock")
    }

    #[test]
    fn parses_status_replies() {
        let reply = "status=running\nnow=1.5\nshould_be_up=1\ndelay=0\nbackoff=0\nlasttime=1.0\napplication=4242\ntesting=0\nmanager=17\nbackofflimit=10\nfilename='/bin/sleep'\nargs=['sleep', '100']\n";
        let s = Status::parse(reply).unwrap();
        assert_eq!(
            (s.pid, s.should_be_up, s.testing, s.manager),
            (4242, true, false, Some(17))
        );
        let s = Status::parse("application=0\nshould_be_up=0\ntesting=1\n").unwrap();
        assert_eq!((s.pid, s.should_be_up, s.testing), (0, false, true));
        assert_eq!(Status::parse("Unknown command 'status'\n"), None);
        assert_eq!(Status::parse("xapplication=3\n"), None);
    }

    #[test]
    fn reads_requests() {
        let read = |b: &[u8]| Request::read(&mut Cursor::new(b.to_vec())).unwrap();
        assert_eq!(read(b"status\n"), Request::Command(vec!["status".into()]));
        assert_eq!(
            read(b" kill  15 \nignored"),
            Request::Command(vec!["kill".into(), "15".into()])
        );
        assert_eq!(read(b"  \n"), Request::Empty);
        assert_eq!(read(b"status"), Request::Unterminated);
        assert_eq!(read(&[b'x'; 20_000]), Request::TooLong);
    }

    #[test]
    fn replies_end_with_a_newline() {
        let mut out = Vec::new();
        reply(&mut out, "Sent SIGTERM").unwrap();
        reply(&mut out, "a\n").unwrap();
        assert_eq!(out, b"Sent SIGTERM\na\n");
    }

    #[test]
    fn socket_round_trip_mode_and_cleanup() {
        let path = temp_socket("rt");
        let _ = std::fs::remove_file(&path);
        let socket = ControlSocket::bind(&path, &mut |_| {}).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let server = std::thread::spawn(move || {
            for _ in 0..2 {
                let (mut conn, _) = socket.listener.accept().unwrap();
                let req = Request::read(&mut conn).unwrap();
                assert_eq!(req, Request::Command(vec!["status".into()]));
                reply(&mut conn, "status=running\napplication=12\n").unwrap();
            }
            socket
        });
        let st = status(&path).unwrap();
        assert_eq!(st.pid, 12);
        let err = ControlSocket::bind(&path, &mut |_| {}).err().unwrap();
        assert!(
            err.starts_with("another daemon manager is already up"),
            "{err}"
        );
        assert!(err.contains("application=12"), "{err}");
        let socket = server.join().unwrap();
        drop(socket);
        assert!(!path.exists());
        assert_eq!(send(&path, "status"), None);
    }

    #[test]
    fn stale_socket_is_replaced() {
        let path = temp_socket("stale");
        let _ = std::fs::remove_file(&path);
        drop(UnixListener::bind(&path).unwrap());
        assert!(path.exists());
        let mut warned = Vec::new();
        let socket = ControlSocket::bind(&path, &mut |m| warned.push(m.to_owned())).unwrap();
        assert_eq!(warned.len(), 1);
        assert!(warned[0].starts_with("Unlinking stale socket"));
        drop(socket);
        assert!(!path.exists());
    }

    #[test]
    fn refuses_to_replace_a_regular_file() {
        let path = temp_socket("file");
        std::fs::write(&path, "not a socket").unwrap();
        let err = ControlSocket::bind(&path, &mut |_| {}).err().unwrap();
        assert!(err.contains("exists and is not a socket"), "{err}");
        std::fs::remove_file(&path).unwrap();
    }
}

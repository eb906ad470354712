//! The transcript: everything the program writes to stdout and stderr,
//! copied into a file that `reopen_transcript` reopens after log rotation.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// Where copied output goes.
struct Sink {
    path: Option<PathBuf>,
    file: Option<File>,
    echo: bool,
}

impl Sink {
    fn write(&mut self, data: &[u8]) {
        if let Some(file) = &mut self.file {
            let _ = file.write_all(data);
        }
        if self.echo {
            let mut out = io::stdout().lock();
            let _ = out.write_all(data);
            let _ = out.flush();
        }
    }
}

/// A shareable handle for writing into the transcript like a program
/// does: through the copier, so the order of events is kept.
#[derive(Clone)]
pub struct TranscriptWriter(Arc<UnixStream>);

impl TranscriptWriter {
    /// Appends `data` to the transcript (and echoes it in foreground mode).
    pub fn write(&self, data: &[u8]) {
        let _ = (&*self.0).write_all(data);
    }
}

fn lock(sink: &Mutex<Sink>) -> MutexGuard<'_, Sink> {
    sink.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().append(true).create(true).open(path)
}

/// The copier's input, for handing to programs as stdout and stderr.
pub struct Feeder(UnixStream);

impl Feeder {
    /// Standard output and standard error for a program: both feed the copier.
    pub fn stdio(&self) -> io::Result<(Stdio, Stdio)> {
        let out = OwnedFd::from(self.0.try_clone()?);
        let err = OwnedFd::from(self.0.try_clone()?);
        Ok((Stdio::from(out), Stdio::from(err)))
    }
}

/// The copier: one connected socket pair shared by every program started;
/// a thread copies what arrives into the current file.
pub struct Transcript {
    sink: Arc<Mutex<Sink>>,
    input: UnixStream,
    copier: Option<JoinHandle<()>>,
}

impl Transcript {
    /// Opens `path` for appending (no file: output is discarded) and starts
    /// the copier thread. With `echo`, output is also written to our stdout.
    pub fn open(path: Option<&Path>, echo: bool) -> Result<Transcript, String> {
        let file = match path {
            Some(p) => Some(
                open_append(p)
                    .map_err(|e| format!("can't open transcript '{}': {e}", p.display()))?,
            ),
            None => None,
        };
        let sink = Arc::new(Mutex::new(Sink {
            path: path.map(Path::to_path_buf),
            file,
            echo,
        }));
        let (input, mut output) =
            UnixStream::pair().map_err(|e| format!("can't create the transcript pipe: {e}"))?;
        let copied = Arc::clone(&sink);
        let copier = std::thread::Builder::new()
            .name("transcript".into())
            .spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    match output.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => lock(&copied).write(&buf[..n]),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
            })
            .map_err(|e| format!("can't start the transcript thread: {e}"))?;
        Ok(Transcript {
            sink,
            input,
            copier: Some(copier),
        })
    }

    /// Standard output and standard error for a program: both feed the copier.
    pub fn stdio(&self) -> io::Result<(Stdio, Stdio)> {
        Feeder(self.input.try_clone()?).stdio()
    }

    /// A handle other threads can use to connect programs to the copier.
    pub fn feeder(&self) -> io::Result<Feeder> {
        Ok(Feeder(self.input.try_clone()?))
    }

    /// A handle for writing into the transcript.
    pub fn writer(&self) -> io::Result<TranscriptWriter> {
        Ok(TranscriptWriter(Arc::new(self.input.try_clone()?)))
    }

    /// Opens the transcript file again (after it was renamed by log
    /// rotation); the old file is closed once the new one is open.
    pub fn reopen(&self) -> Result<(), String> {
        let path = lock(&self.sink).path.clone();
        if let Some(path) = path {
            let file = open_append(&path)
                .map_err(|e| format!("can't reopen transcript '{}': {e}", path.display()))?;
            lock(&self.sink).file = Some(file);
        }
        Ok(())
    }
}

impl Drop for Transcript {
    /// Ends the copier after it wrote everything already sent: shutting
    /// down the socket's sending side (for every holder of it, including
    /// programs that outlived us) makes the copier read to the end.
    fn drop(&mut self) {
        let _ = self.input.shutdown(Shutdown::Write);
        if let Some(copier) = self.copier.take() {
            let _ = copier.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait_for(path: &Path, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let got = std::fs::read_to_string(path).unwrap_or_default();
            if got == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} has {got:?}, want {want:?}",
                path.display()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn copies_program_output_and_reopens() {
        let dir = std::env::temp_dir().join(format!("zeoraid-transcript-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("t.log");
        let _ = std::fs::remove_file(&log);
        let t = Transcript::open(Some(&log), false).unwrap();
        let (out, err) = t.stdio().unwrap();
        let status = std::process::Command::new("sh")
            .args(["-c", "echo out; echo err >&2"])
            .stdout(out)
            .stderr(err)
            .status()
            .unwrap();
        assert!(status.success());
        wait_for(&log, "out\nerr\n");
        std::fs::rename(&log, dir.join("t.log.1")).unwrap();
        t.writer().unwrap().write(b"old\n");
        wait_for(&dir.join("t.log.1"), "out\nerr\nold\n");
        t.reopen().unwrap();
        t.writer().unwrap().write(b"new\n");
        wait_for(&log, "new\n");
        t.writer().unwrap().write(b"last\n");
        drop(t);
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "new\nlast\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unopenable_transcript_is_an_error() {
        let err = Transcript::open(Some(Path::new("/nonexistent/dir/t.log")), false)
            .err()
            .unwrap();
        assert!(
            err.starts_with("can't open transcript '/nonexistent/dir/t.log'"),
            "{err}"
        );
        assert!(Transcript::open(None, false).unwrap().reopen().is_ok());
    }
}

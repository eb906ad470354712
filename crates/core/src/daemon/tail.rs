//! `logtail`: print the end of a file, then what is appended to it.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

/// How far back the first output looks for the last lines.
const LOOK_BACK: u64 = 8192;

/// The last `lines` lines of `file` (within its last 8 KiB)
/// and the file's size.
pub fn last_lines(file: &mut File, lines: usize) -> io::Result<(u64, Vec<u8>)> {
    let size = file.seek(SeekFrom::End(0))?;
    let start = size.saturating_sub(LOOK_BACK);
    file.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::new();
    file.take(size - start).read_to_end(&mut buf)?;
    let mut cut = 0;
    if start > 0 {
        cut = buf
            .iter()
            .position(|b| *b == b'\n')
            .map_or(buf.len(), |p| p + 1);
    }
    let body = &buf[cut..];
    let trimmed = body.strip_suffix(b"\n").unwrap_or(body);
    let mut seen = 0;
    let mut from = 0;
    for (i, b) in trimmed.iter().enumerate().rev() {
        if *b == b'\n' {
            seen += 1;
            if seen == lines {
                from = i + 1;
                break;
            }
        }
    }
    Ok((size, body[from..].to_vec()))
}

/// Prints the last ten lines of `path`, then polls it every `interval` and
/// prints what was appended (`==> File truncated <==` when it shrank).
/// Follows forever, or for `rounds` polls when given (a test hook).
pub fn follow(
    path: &Path,
    out: &mut dyn Write,
    rounds: Option<u64>,
    interval: Duration,
) -> io::Result<()> {
    let mut file = File::open(path)?;
    let (mut size, tail) = last_lines(&mut file, 10)?;
    out.write_all(&tail)?;
    out.flush()?;
    let mut done = 0;
    while rounds.is_none_or(|r| done < r) {
        std::thread::sleep(interval);
        done += 1;
        let now = file.metadata()?.len();
        if now < size {
            writeln!(out, "==> File truncated <==")?;
            size = 0;
        }
        if now > size {
            file.seek(SeekFrom::Start(size))?;
            let mut added = Vec::new();
            (&mut file).take(now - size).read_to_end(&mut added)?;
            out.write_all(&added)?;
            out.flush()?;
            size = now;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file name in the temporary directory; removed when dropped.
    struct Temp(std::path::PathBuf);

    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    impl std::ops::Deref for Temp {
        type Target = std::path::PathBuf;
        fn deref(&self) -> &std::path::PathBuf {
            &self.0
        }
    }

    fn temp(name: &str) -> Temp {
        Temp(std::env::temp_dir().join(format!("zeoraid-tail-{}-{name}", std::process::id())))
    }

    #[test]
    fn last_ten_lines() {
        let path = temp("ten");
        let text: String = (1..=25).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&*path, &text).unwrap();
        let (size, tail) = last_lines(&mut File::open(&*path).unwrap(), 10).unwrap();
        assert_eq!(size, text.len() as u64);
        let want: String = (16..=25).map(|i| format!("line {i}\n")).collect();
        assert_eq!(String::from_utf8(tail).unwrap(), want);
        std::fs::write(&*path, "a\nb").unwrap();
        let (_, tail) = last_lines(&mut File::open(&*path).unwrap(), 10).unwrap();
        assert_eq!(tail, b"a\nb");
        std::fs::write(&*path, "").unwrap();
        assert_eq!(
            last_lines(&mut File::open(&*path).unwrap(), 10).unwrap(),
            (0, vec![])
        );
    }

    #[test]
    fn long_files_only_look_back_a_bit() {
        let path = temp("long");
        let line = "x".repeat(5000) + "\n";
        std::fs::write(&*path, line.repeat(3) + "end\n").unwrap();
        let (_, tail) = last_lines(&mut File::open(&*path).unwrap(), 10).unwrap();
        assert_eq!(String::from_utf8(tail).unwrap(), line + "end\n");
    }

    #[test]
    fn follows_appends_and_truncation() {
        let path = temp("follow");
        std::fs::write(&*path, "one\n").unwrap();
        let writer_path = path.to_path_buf();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(60));
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&writer_path)
                .unwrap();
            f.write_all(b"two\n").unwrap();
            std::thread::sleep(Duration::from_millis(100));
            std::fs::write(&writer_path, "3\n").unwrap();
        });
        let mut out = Vec::new();
        follow(&path, &mut out, Some(12), Duration::from_millis(25)).unwrap();
        writer.join().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "one\ntwo\n==> File truncated <==\n3\n"
        );
        assert!(follow(
            Path::new("/nonexistent/log"),
            &mut Vec::new(),
            Some(0),
            Duration::ZERO
        )
        .is_err());
    }
}

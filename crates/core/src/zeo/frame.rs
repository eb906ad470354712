//! ZEO framing: every message is a 4-byte big-endian length, then the payload.

use std::io::{self, Read, Write};

use super::error::Error;

/// The largest payload accepted by default (RAID replies are tiny; 16 MiB
/// leaves ample room while keeping a hostile length prefix harmless).
pub const DEFAULT_MAX_FRAME: usize = 16 * 1024 * 1024;

/// Writes `payload` as one frame.
pub fn write_frame(w: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "message too large"))?;
    let mut buf = Vec::with_capacity(4 + payload.len());
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(payload);
    w.write_all(&buf)
}

/// Reads one frame of at most `max` bytes.
///
/// The buffer grows only as bytes actually arrive, so neither a huge length
/// prefix nor a truncated frame makes it allocate more than was received.
pub fn read_frame(r: &mut impl Read, max: usize) -> Result<Vec<u8>, Error> {
    let mut prefix = [0u8; 4];
    let got = read_full(r, &mut prefix)?;
    if got == 0 {
        return Err(Error::Protocol(
            "the server closed the connection".to_owned(),
        ));
    }
    if got < 4 {
        return Err(Error::Protocol(format!(
            "the server sent a truncated length prefix ({got} of 4 bytes)"
        )));
    }
    let len = u32::from_be_bytes(prefix);
    if len as u64 > max as u64 {
        return Err(Error::FrameTooLarge {
            len: len.into(),
            max,
        });
    }
    let mut payload = Vec::new();
    r.take(len.into())
        .read_to_end(&mut payload)
        .map_err(Error::Io)?;
    if payload.len() < len as usize {
        return Err(Error::Protocol(format!(
            "the server closed the connection mid-message ({} of {len} bytes)",
            payload.len()
        )));
    }
    Ok(payload)
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> Result<usize, Error> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::Io(e)),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut buf = Vec::new();
        write_frame(&mut buf, b"Z5").unwrap();
        assert_eq!(buf, b"\0\0\0\x02Z5");
        assert_eq!(read_frame(&mut &buf[..], 10).unwrap(), b"Z5");
    }

    #[test]
    fn refuses_a_huge_prefix_without_allocating() {
        let data = [0xff, 0xff, 0xff, 0xff, 1, 2, 3];
        match read_frame(&mut &data[..], DEFAULT_MAX_FRAME) {
            Err(Error::FrameTooLarge { len, max }) => {
                assert_eq!(len, 0xffff_ffff);
                assert_eq!(max, DEFAULT_MAX_FRAME);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reports_truncation() {
        let err = read_frame(&mut &b"\0\0"[..], 10).unwrap_err();
        assert!(err.to_string().contains("truncated length prefix"), "{err}");
        let err = read_frame(&mut &b"\0\0\0\x09abc"[..], 10).unwrap_err();
        assert!(
            err.to_string().contains("mid-message (3 of 9 bytes)"),
            "{err}"
        );
        let err = read_frame(&mut &b""[..], 10).unwrap_err();
        assert!(err.to_string().contains("closed the connection"), "{err}");
    }
}

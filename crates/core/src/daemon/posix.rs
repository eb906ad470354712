//! The few POSIX calls std does not offer, declared by hand.
//!
//! This is the only module of the daemon allowed to use `unsafe`. Every
//! foreign function is declared here with the C prototype it mirrors, and
//! every call is wrapped in a small safe function that checks the result.
//! Struct layouts are only read through their common prefix (`passwd`,
//! `tm`) or treated as opaque buffers larger than any libc needs
//! (`sigset_t`), so the same code is correct on glibc, musl and the BSDs.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_long, CStr, CString};
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

#[cfg(any(target_os = "linux", target_os = "android"))]
type ModeT = u32;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
type ModeT = u16;

/// `struct passwd`: the four leading fields every libc shares, then room
/// for the rest (glibc/musl need 48 bytes, the BSDs about 72).
#[repr(C)]
struct Passwd {
    pw_name: *mut c_char,
    pw_passwd: *mut c_char,
    pw_uid: u32,
    pw_gid: u32,
    _rest: [usize; 12],
}

/// `sigset_t` as an opaque, suitably aligned buffer (glibc and musl use
/// 128 bytes, the BSDs less); only libc functions touch its content.
#[repr(C, align(8))]
#[derive(Clone, Copy)]
struct SigSet([u8; 128]);

/// `struct tm`: nine leading `int`s, then room for `tm_gmtoff`/`tm_zone`.
#[repr(C)]
struct Tm {
    fields: [c_int; 9],
    _rest: [usize; 4],
}

#[cfg(any(target_os = "linux", target_os = "android"))]
mod how {
    pub const SIG_BLOCK: super::c_int = 0;
    pub const SIG_SETMASK: super::c_int = 2;
}
#[cfg(not(any(target_os = "linux", target_os = "android")))]
mod how {
    pub const SIG_BLOCK: super::c_int = 1;
    pub const SIG_SETMASK: super::c_int = 3;
}

const X_OK: c_int = 1;
const ERANGE: i32 = 34;

extern "C" {
    fn setsid() -> c_int;
    fn kill(pid: c_int, sig: c_int) -> c_int;
    fn geteuid() -> u32;
    fn umask(mask: ModeT) -> ModeT;
    fn setgid(gid: u32) -> c_int;
    fn setuid(uid: u32) -> c_int;
    fn initgroups(user: *const c_char, group: u32) -> c_int;
    fn getpwnam_r(
        name: *const c_char,
        pwd: *mut Passwd,
        buf: *mut c_char,
        buflen: usize,
        result: *mut *mut Passwd,
    ) -> c_int;
    fn getpwuid_r(
        uid: u32,
        pwd: *mut Passwd,
        buf: *mut c_char,
        buflen: usize,
        result: *mut *mut Passwd,
    ) -> c_int;
    fn sigemptyset(set: *mut SigSet) -> c_int;
    fn sigaddset(set: *mut SigSet, sig: c_int) -> c_int;
    fn pthread_sigmask(how: c_int, set: *const SigSet, old: *mut SigSet) -> c_int;
    fn sigprocmask(how: c_int, set: *const SigSet, old: *mut SigSet) -> c_int;
    fn sigwait(set: *const SigSet, sig: *mut c_int) -> c_int;
    fn dup2(old: c_int, new: c_int) -> c_int;
    fn access(path: *const c_char, mode: c_int) -> c_int;
    fn localtime_r(time: *const i64, tm: *mut Tm) -> *mut Tm;
}

fn check(rc: c_int) -> io::Result<()> {
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// The effective user id of this process.
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid takes no arguments, cannot fail and touches no memory.
    unsafe { geteuid() }
}

/// Sends signal `sig` to process `pid`.
pub fn send_signal(pid: u32, sig: i32) -> io::Result<()> {
    let pid = c_int::try_from(pid)
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "invalid process id"))?;
    // SAFETY: kill takes two integers and touches no memory; a positive pid
    // addresses exactly one process (never a group or "all processes").
    check(unsafe { kill(pid, sig) })
}

/// Sets the file mode creation mask and returns the previous one.
#[allow(clippy::useless_conversion)] // mode_t is u32 on Linux, u16 elsewhere
pub fn set_umask(mask: u32) -> u32 {
    // SAFETY: umask takes an integer, cannot fail and touches no memory.
    u32::from(unsafe { umask((mask & 0o777) as ModeT) })
}

/// Whether the calling process may execute `path` (`access(path, X_OK)`).
pub fn is_executable(path: &Path) -> bool {
    let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: c_path is a valid NUL-terminated string that outlives the call.
    unsafe { access(c_path.as_ptr(), X_OK) == 0 }
}

/// A password database entry: what is needed to become that user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The login name.
    pub name: String,
    /// The numeric user id.
    pub uid: u32,
    /// The primary group id.
    pub gid: u32,
}

/// Looks a user up by name (`getpwnam_r`); `Ok(None)` when there is none.
pub fn user_by_name(name: &str) -> io::Result<Option<User>> {
    let c_name = CString::new(name)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "user name contains NUL"))?;
    lookup_user(&mut |pwd, buf, len, result| {
        // SAFETY: c_name is NUL-terminated and lives across the call; pwd,
        // buf (len bytes) and result point to writable memory owned by
        // lookup_user for the duration of the call.
        unsafe { getpwnam_r(c_name.as_ptr(), pwd, buf, len, result) }
    })
}

/// Looks a user up by numeric id (`getpwuid_r`); `Ok(None)` when there is none.
pub fn user_by_uid(uid: u32) -> io::Result<Option<User>> {
    lookup_user(&mut |pwd, buf, len, result| {
        // SAFETY: pwd, buf (len bytes) and result point to writable memory
        // owned by lookup_user for the duration of the call.
        unsafe { getpwuid_r(uid, pwd, buf, len, result) }
    })
}

type LookupFn<'a> = dyn FnMut(*mut Passwd, *mut c_char, usize, *mut *mut Passwd) -> c_int + 'a;

fn lookup_user(call: &mut LookupFn<'_>) -> io::Result<Option<User>> {
    let mut size = 1024;
    loop {
        let mut buf = vec![0 as c_char; size];
        let mut pwd = Passwd {
            pw_name: std::ptr::null_mut(),
            pw_passwd: std::ptr::null_mut(),
            pw_uid: 0,
            pw_gid: 0,
            _rest: [0; 12],
        };
        let mut result: *mut Passwd = std::ptr::null_mut();
        let rc = call(&mut pwd, buf.as_mut_ptr(), buf.len(), &mut result);
        if rc == ERANGE && size < (1 << 20) {
            size *= 4;
            continue;
        }
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        if result.is_null() || pwd.pw_name.is_null() {
            return Ok(None);
        }
        // SAFETY: on success pw_name points to a NUL-terminated string
        // stored inside buf, which is still alive here.
        let name = unsafe { CStr::from_ptr(pwd.pw_name) };
        return Ok(Some(User {
            name: name.to_string_lossy().into_owned(),
            uid: pwd.pw_uid,
            gid: pwd.pw_gid,
        }));
    }
}

/// Irrevocably becomes `user`: primary group, supplementary groups from
/// the group database (`initgroups`), then the user id.
pub fn become_user(user: &User) -> io::Result<()> {
    let c_name = CString::new(user.name.as_str())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "user name contains NUL"))?;
    // SAFETY: setgid takes an integer and touches no memory.
    check(unsafe { setgid(user.gid) })?;
    // SAFETY: c_name is NUL-terminated and lives across the call.
    check(unsafe { initgroups(c_name.as_ptr(), user.gid) })?;
    // SAFETY: setuid takes an integer and touches no memory.
    check(unsafe { setuid(user.uid) })
}

/// Makes a command start a new session (`setsid` in the child before
/// `exec`), detaching it from the caller's terminal and process group.
pub fn start_new_session(command: &mut Command) {
    // SAFETY: the closure runs in the forked child before exec and only
    // calls setsid, which is async-signal-safe and allocates nothing.
    unsafe {
        command.pre_exec(|| check(setsid()));
    }
}

/// Makes a command start with no signal blocked: a process inherits the
/// signal mask across `exec`, and std does not reset it.
pub fn unblock_signals_on_spawn(command: &mut Command) -> io::Result<()> {
    let mut empty = SigSet([0; 128]);
    // SAFETY: empty is a writable buffer at least as large as sigset_t.
    check(unsafe { sigemptyset(&mut empty) })?;
    // SAFETY: the closure runs in the forked child before exec and only
    // calls sigprocmask (async-signal-safe) on a set prepared beforehand.
    unsafe {
        command
            .pre_exec(move || check(sigprocmask(how::SIG_SETMASK, &empty, std::ptr::null_mut())));
    }
    Ok(())
}

/// A set of signals blocked in the calling thread (and in every thread it
/// starts afterwards), to be received synchronously with [`Signals::wait`].
pub struct Signals {
    set: SigSet,
}

impl Signals {
    /// Blocks `signals` in the calling thread. Call it before starting
    /// other threads so that they inherit the mask; child processes started
    /// through std get a clean mask.
    pub fn block(signals: &[i32]) -> io::Result<Signals> {
        let mut set = SigSet([0; 128]);
        // SAFETY: set is a writable buffer at least as large as sigset_t.
        check(unsafe { sigemptyset(&mut set) })?;
        for &sig in signals {
            // SAFETY: set was initialised by sigemptyset above.
            check(unsafe { sigaddset(&mut set, sig) })?;
        }
        // SAFETY: set is initialised; a null old-set pointer is allowed.
        let rc = unsafe { pthread_sigmask(how::SIG_BLOCK, &set, std::ptr::null_mut()) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        Ok(Signals { set })
    }

    /// Waits until one of the blocked signals is pending and returns it.
    pub fn wait(&self) -> io::Result<i32> {
        let mut sig: c_int = 0;
        // SAFETY: self.set is an initialised sigset_t; sig is writable.
        let rc = unsafe { sigwait(&self.set, &mut sig) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        Ok(sig)
    }
}

/// Makes file descriptor `target` (0, 1 or 2) refer to what `source` refers to.
pub fn redirect(source: &impl AsRawFd, target: RawFd) -> io::Result<()> {
    // SAFETY: dup2 only manipulates the descriptor table; source is a live
    // descriptor borrowed for the call, and target is a standard stream
    // this process owns, so no Rust object is invalidated.
    check(unsafe { dup2(source.as_raw_fd(), target) })
}

/// Broken-down local time `[year, month (1-12), day, hour, minute, second]`
/// of a Unix timestamp, or `None` when the C library cannot tell.
pub fn local_time(secs: i64) -> Option<[i32; 6]> {
    if std::mem::size_of::<c_long>() != 8 {
        // time_t may be 32 bits wide here; callers fall back to UTC.
        return None;
    }
    let mut tm = Tm {
        fields: [0; 9],
        _rest: [0; 4],
    };
    // SAFETY: secs is a valid time_t (64 bits on this target) and tm is a
    // writable buffer larger than struct tm.
    let ok = unsafe { !localtime_r(&secs, &mut tm).is_null() };
    let f = tm.fields;
    ok.then(|| [f[5] + 1900, f[4] + 1, f[3], f[2], f[1], f[0]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_user_is_found_by_name_and_uid() {
        let by_name = user_by_name("root").unwrap().expect("root exists");
        assert_eq!(by_name.uid, 0);
        assert_eq!(user_by_uid(0).unwrap().unwrap().name, "root");
    }

    #[test]
    fn unknown_user_is_none() {
        assert_eq!(user_by_name("no-such-user-zeoraid-x").unwrap(), None);
        assert!(user_by_name("nul\0inside").is_err());
    }

    #[test]
    fn kill_refuses_group_addresses() {
        assert!(send_signal(0, 0).is_err());
        assert!(send_signal(u32::MAX, 0).is_err());
        send_signal(std::process::id(), 0).unwrap();
    }

    #[test]
    fn umask_round_trips() {
        let old = set_umask(0o027);
        assert_eq!(set_umask(old), 0o027);
    }

    #[test]
    fn local_time_is_plausible() {
        if let Some([y, mo, d, h, mi, s]) = local_time(86_400 * 365 * 30) {
            assert!((1999..=2000).contains(&y));
            assert!((1..=12).contains(&mo) && (1..=31).contains(&d));
            assert!(h < 24 && mi < 60 && s < 61);
        }
    }

    #[test]
    fn executable_check() {
        assert!(is_executable(Path::new("/bin/sh")));
        assert!(!is_executable(Path::new("/nonexistent/zeoraid")));
    }
}

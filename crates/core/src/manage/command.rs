//! Running one manage command over a ZEO session.

use super::cli::{Command, Invocation};
use super::{CRITICAL, OK, UNKNOWN, WARNING};
use crate::zeo::client::{self, Client, Options};
use crate::zeo::error::Error;
use crate::zeo::value::Value;

/// What a command produced.
#[derive(Debug)]
pub enum Outcome {
    /// `status`: the RAID status.
    Status(String),
    /// `details`: the RAID status and each child's status, sorted by name.
    Details {
        /// The RAID status.
        status: String,
        /// `(child name, status text)`, sorted by name.
        storages: Vec<(String, String)>,
    },
    /// `recover`/`disable`: the server's answer.
    Answer(String),
    /// `reload` succeeded.
    Reloaded,
    /// `ruok`: the server's JSON status.
    Ruok(String),
    /// Anything failed.
    Failed(Error),
}

impl Outcome {
    /// The Nagios exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Status(status) | Outcome::Details { status, .. } => nagios_code(status),
            Outcome::Answer(_) | Outcome::Reloaded | Outcome::Ruok(_) => OK,
            Outcome::Failed(_) => CRITICAL,
        }
    }
}

/// Maps a RAID status to its Nagios exit code.
pub fn nagios_code(status: &str) -> i32 {
    match status {
        "optimal" => OK,
        "recovering" => WARNING,
        "degraded" | "failed" => CRITICAL,
        _ => UNKNOWN,
    }
}

/// Connects, registers read-only with the storage, runs the command, closes.
pub fn execute(invocation: &Invocation) -> Outcome {
    match try_execute(invocation) {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Failed(e),
    }
}

fn try_execute(invocation: &Invocation) -> Result<Outcome, Error> {
    let options = Options {
        timeout: invocation.timeout,
        ..Options::default()
    };
    if invocation.command == Command::Ruok {
        return client::ruok(&invocation.address, &options).map(Outcome::Ruok);
    }
    let mut session = Client::connect(&invocation.address, &options)?;
    session.register(&invocation.storage, true)?;
    let outcome = match &invocation.command {
        Command::Status => Outcome::Status(text(session.call("raid_status", vec![])?)?),
        Command::Details => {
            let details = session.call("raid_details", vec![])?;
            let status = text(session.call("raid_status", vec![])?)?;
            Outcome::Details {
                status,
                storages: sorted_pairs(details)?,
            }
        }
        Command::Recover(name) => Outcome::Answer(
            session
                .call("raid_recover", vec![name.as_str().into()])?
                .display(),
        ),
        Command::Disable(name) => Outcome::Answer(
            session
                .call("raid_disable", vec![name.as_str().into()])?
                .display(),
        ),
        Command::Reload => {
            session.call("raid_reload", vec![])?;
            Outcome::Reloaded
        }
        Command::Ruok => unreachable!("handled before connecting"),
    };
    session.close();
    Ok(outcome)
}

fn text(value: Value) -> Result<String, Error> {
    value
        .text()
        .ok_or_else(|| Error::Protocol(format!("expected a text, got {}", value.repr())))
}

fn sorted_pairs(value: Value) -> Result<Vec<(String, String)>, Error> {
    let Value::Dict(pairs) = value else {
        return Err(Error::Protocol(format!(
            "expected a dict of storage details, got {}",
            value.repr()
        )));
    };
    let mut pairs: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| (k.display(), v.display()))
        .collect();
    pairs.sort();
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raid_states_map_to_nagios_codes() {
        assert_eq!(nagios_code("optimal"), OK);
        assert_eq!(nagios_code("recovering"), WARNING);
        assert_eq!(nagios_code("degraded"), CRITICAL);
        assert_eq!(nagios_code("failed"), CRITICAL);
        assert_eq!(nagios_code("confused"), UNKNOWN);
        assert_eq!(Outcome::Status("recovering".into()).exit_code(), WARNING);
        assert_eq!(Outcome::Answer("recovering '2'".into()).exit_code(), OK);
        assert_eq!(Outcome::Reloaded.exit_code(), OK);
    }
}

//! Rendering an outcome: the original controller's text, or JSON.

use super::cli::Invocation;
use super::command::Outcome;
use crate::json::Json;
use crate::zeo::error::Error;

/// Width of the first column of `details` (and of the status cell).
const COLUMN: usize = 25;

/// The original controller's output.
pub fn text(invocation: &Invocation, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Status(status) => format!("{status}\n"),
        Outcome::Details { status, storages } => {
            let rule = format!(" {}+-------------------\n", "-".repeat(COLUMN));
            let mut out = format!(" {}| Status\n", pad(&invocation.address.to_string()));
            out.push_str(&rule);
            out.push_str(&format!(
                " {}| {}\n",
                pad(&format!("RAID {}", invocation.storage)),
                pad(status)
            ));
            out.push_str(&rule);
            for (name, state) in storages {
                out.push_str(&format!(" {}| {state}\n", pad(name)));
            }
            out
        }
        Outcome::Answer(answer) => format!("{answer}\n"),
        Outcome::Reloaded => String::new(),
        Outcome::Ruok(json) => format!("{}\n", json.trim_end()),
        Outcome::Failed(error) => format!("{}\n", error_line(invocation, error)),
    }
}

/// The outcome as one JSON object.
pub fn json(invocation: &Invocation, outcome: &Outcome) -> String {
    let mut fields = vec![
        ("address", Json::str(invocation.address.to_string())),
        ("storage", Json::str(&invocation.storage)),
    ];
    match outcome {
        Outcome::Status(status) => fields.push(("status", Json::str(status))),
        Outcome::Details { status, storages } => {
            fields.push(("status", Json::str(status)));
            fields.push((
                "storages",
                Json::object(storages.iter().map(|(k, v)| (k.clone(), Json::str(v)))),
            ));
        }
        Outcome::Answer(answer) => fields.push(("result", Json::str(answer))),
        Outcome::Reloaded => fields.push(("result", Json::str("reloaded"))),
        Outcome::Ruok(text) => fields.push(("ruok", Json::str(text.trim_end()))),
        Outcome::Failed(error) => fields.push(("error", Json::str(error_line(invocation, error)))),
    }
    fields.push(("exit_code", Json::Int(outcome.exit_code().into())));
    Json::object(fields).compact() + "\n"
}

/// One line saying what went wrong, naming the server.
pub fn error_line(invocation: &Invocation, error: &Error) -> String {
    let at = &invocation.address;
    match error {
        Error::Connect { .. } => error.to_string(),
        Error::Server { class, message } if message.is_empty() => {
            format!("Error from ZEO server at {at}: {class}")
        }
        Error::Server { class, message } => {
            format!("Error from ZEO server at {at}: {class}: {message}")
        }
        other => format!("{other} (ZEO server at {at})"),
    }
}

/// Left-justifies like Python's `str.ljust(25)`.
fn pad(s: &str) -> String {
    format!("{s:<COLUMN$}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Address;
    use crate::manage::cli::Command;
    use std::time::Duration;

    fn invocation() -> Invocation {
        Invocation {
            address: Address::Tcp {
                host: "127.0.0.1".into(),
                port: 5555,
            },
            storage: "1".into(),
            timeout: Duration::from_secs(1),
            json: false,
            command: Command::Details,
        }
    }

    #[test]
    fn details_table_is_the_originals() {
        let outcome = Outcome::Details {
            status: "degraded".into(),
            storages: vec![
                ("1".into(), "optimal".into()),
                ("2".into(), "failed: disabled by controller".into()),
            ],
        };
        assert_eq!(
            text(&invocation(), &outcome),
            concat!(
                " 127.0.0.1:5555           | Status\n",
                " -------------------------+-------------------\n",
                " RAID 1                   | degraded                 \n",
                " -------------------------+-------------------\n",
                " 1                        | optimal\n",
                " 2                        | failed: disabled by controller\n",
            )
        );
    }

    #[test]
    fn json_carries_the_exit_code() {
        let out = json(&invocation(), &Outcome::Status("recovering".into()));
        assert_eq!(
            out,
            "{\"address\":\"127.0.0.1:5555\",\"storage\":\"1\",\"status\":\"recovering\",\"exit_code\":1}\n"
        );
    }
}

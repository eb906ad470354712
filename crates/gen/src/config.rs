//! `zeoraid.toml` read into typed settings that remember where they were
//! written, with unknown keys and wrong types refused.

use std::path::Path;

use crate::error::{line_note, place, Error, Pos};
use crate::names::shown;
use crate::suggest::nearest;
use crate::toml_tree::{self, Entry, Node, Value};

/// The keys of `[layout]`.
pub const LAYOUT_KEYS: &[&str] = &[
    "directory",
    "bin-directory",
    "parts-directory",
    "systemd-directory",
];
/// The keys of a `[server.NAME]` table.
pub const SERVER_KEYS: &[&str] = &[
    "zeo-conf",
    "zdaemon-conf",
    "name",
    "deployment",
    "logrotate",
    "pack",
    "shell-script",
    "runzeo",
    "zdaemon",
    "zeopack",
];
/// The keys of a `[deployment.NAME]` table.
pub const DEPLOYMENT_KEYS: &[&str] = &[
    "name",
    "user",
    "etc-prefix",
    "var-prefix",
    "crontab-directory",
    "etc-directory",
    "log-directory",
    "logrotate-directory",
    "rc-directory",
    "run-directory",
    "systemd-directory",
    "logrotate",
];
const TOP_KEYS: &[&str] = &["layout", "server", "deployment"];

/// A value from the file and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// Where its key starts.
    pub key_pos: Option<Pos>,
    /// Where its value starts.
    pub pos: Option<Pos>,
}

/// The whole file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// `[layout]`.
    pub layout: Layout,
    /// `[server.*]`, in file order.
    pub servers: Vec<Server>,
    /// `[deployment.*]`, in file order.
    pub deployments: Vec<Deployment>,
}

/// `[layout]`: buildout's `[buildout]` directories.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// `directory`, default `.` (against the file's folder).
    pub directory: Option<Setting<String>>,
    /// `bin-directory`, default `bin` (against `directory`).
    pub bin_directory: Option<Setting<String>>,
    /// `parts-directory`, default `parts` (against `directory`).
    pub parts_directory: Option<Setting<String>>,
    /// `systemd-directory` (against `directory`): where the units of parts
    /// without a deployment go; none are written without it.
    pub systemd_directory: Option<Setting<String>>,
}

/// `[server.KEY]`: one ZEO RAID server part.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Server {
    /// The table key.
    pub key: String,
    /// Where the table's key is written.
    pub pos: Option<Pos>,
    /// `zeo-conf`: the ZConfig text of the ZEO server.
    pub zeo_conf: Option<Setting<String>>,
    /// `zdaemon-conf`: ZConfig text merged into the generated zdaemon.conf.
    pub zdaemon_conf: Option<Setting<String>>,
    /// `name`: used in file names instead of the key.
    pub name: Option<Setting<String>>,
    /// `deployment`: the key of a `[deployment.KEY]` table.
    pub deployment: Option<Setting<String>>,
    /// `logrotate`: `false` turns the logrotate file off.
    pub logrotate: Option<Setting<bool>>,
    /// `pack`: 5-7 fields for the pack cron job.
    pub pack: Option<Setting<String>>,
    /// `shell-script`: the rc file is a `/bin/sh` script calling zdaemon.
    pub shell_script: Option<Setting<bool>>,
    /// `runzeo`: the runzeo program (against bin-directory).
    pub runzeo: Option<Setting<String>>,
    /// `zdaemon`: the zdaemon program (against bin-directory).
    pub zdaemon: Option<Setting<String>>,
    /// `zeopack`: the zeopack program (against bin-directory).
    pub zeopack: Option<Setting<String>>,
}

/// `[deployment.KEY]`: zc.recipe.deployment's locations and user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deployment {
    /// The table key.
    pub key: String,
    /// Where the table's key is written.
    pub pos: Option<Pos>,
    /// `name`: used in file names instead of the key.
    pub name: Option<Setting<String>>,
    /// `user`: the user the server runs as and packs as.
    pub user: Option<Setting<String>>,
    /// `etc-prefix`, default `/etc`.
    pub etc_prefix: Option<Setting<String>>,
    /// `var-prefix`, default `/var`.
    pub var_prefix: Option<Setting<String>>,
    /// `crontab-directory`, default `<etc-prefix>/cron.d`.
    pub crontab_directory: Option<Setting<String>>,
    /// `etc-directory`, default `<etc-prefix>/<name>`.
    pub etc_directory: Option<Setting<String>>,
    /// `log-directory`, default `<var-prefix>/log/<name>`.
    pub log_directory: Option<Setting<String>>,
    /// `logrotate-directory`, default `<etc-prefix>/logrotate.d`.
    pub logrotate_directory: Option<Setting<String>>,
    /// `rc-directory`, default `<etc-prefix>/init.d`.
    pub rc_directory: Option<Setting<String>>,
    /// `run-directory`, default `<var-prefix>/run/<name>`.
    pub run_directory: Option<Setting<String>>,
    /// `systemd-directory`: where the units of its parts go; none are
    /// written without it.
    pub systemd_directory: Option<Setting<String>>,
    /// `logrotate`: `false` turns logrotate files off for its parts.
    pub logrotate: Option<Setting<bool>>,
}

/// Reads `text` (the contents of `file`) into a [`Config`].
pub fn parse(text: &str, file: &Path) -> Result<Config, Error> {
    let reader = Reader { text, file };
    let root = toml_tree::parse(text).map_err(|e| reader.toml_error(&e))?;
    let mut config = Config::default();
    for entry in reader.table(&root, "the top level", TOP_KEYS)? {
        let title = format!("[{}]", entry.key);
        match entry.key.as_str() {
            "layout" => {
                let t = reader.table_entry(entry, "layout", LAYOUT_KEYS)?;
                config.layout = Layout {
                    directory: reader.string(&t, "directory")?,
                    bin_directory: reader.string(&t, "bin-directory")?,
                    parts_directory: reader.string(&t, "parts-directory")?,
                    systemd_directory: reader.string(&t, "systemd-directory")?,
                };
            }
            "server" => {
                for part in reader.table(&entry.node, &title, &[])? {
                    config.servers.push(reader.server(part)?);
                }
            }
            _ => {
                for dep in reader.table(&entry.node, &title, &[])? {
                    config.deployments.push(reader.deployment(dep)?);
                }
            }
        }
    }
    Ok(config)
}

/// A table being read: its title for messages and its entries.
struct Table<'a> {
    title: String,
    entries: &'a [Entry],
}

struct Reader<'t> {
    text: &'t str,
    file: &'t Path,
}

impl<'t> Reader<'t> {
    fn pos(&self, span: &Option<std::ops::Range<usize>>) -> Option<Pos> {
        span.as_ref().map(|s| Pos::of(self.text, s.start))
    }

    fn error(&self, pos: Option<Pos>, message: String) -> Error {
        Error::new(self.file, message).at(pos)
    }

    fn toml_error(&self, e: &toml::de::Error) -> Error {
        let pos = self.pos(&e.span());
        let message = e.message().trim().replace('\n', "; ");
        self.error(
            pos,
            format!("invalid TOML{}: {message}", line_note(pos, true)),
        )
    }

    /// The entries of `node`, which must be a table; with `known` non-empty
    /// every key must be one of them.
    fn table<'a>(&self, node: &'a Node, title: &str, known: &[&str]) -> Result<&'a [Entry], Error> {
        let Value::Table(entries) = &node.value else {
            return Err(self.error(
                self.pos(&node.span),
                format!("{title} must be a table, not {}", node.value.kind()),
            ));
        };
        if !known.is_empty() {
            if let Some(unknown) = entries.iter().find(|e| !known.contains(&e.key.as_str())) {
                return Err(self.unknown_key(unknown, title, known));
            }
        }
        Ok(entries)
    }

    fn table_entry<'a>(
        &self,
        entry: &'a Entry,
        name: &str,
        known: &[&str],
    ) -> Result<Table<'a>, Error> {
        let title = format!("[{name}]");
        let entries = match &entry.node.value {
            Value::Table(_) => self.table(&entry.node, &title, known)?,
            other => {
                return Err(self.error(
                    self.pos(&entry.key_span),
                    format!(
                        "`{}`{} must be a table like {title}, not {}",
                        entry.key,
                        line_note(self.pos(&entry.key_span), true),
                        other.kind()
                    ),
                ))
            }
        };
        Ok(Table {
            title: name.to_owned(),
            entries,
        })
    }

    fn unknown_key(&self, entry: &Entry, title: &str, known: &[&str]) -> Error {
        let pos = self.pos(&entry.key_span);
        let preposition = if title.starts_with('[') { "in" } else { "at" };
        let mut message = format!(
            "unknown key `{}` {preposition} {title}{}",
            shown(&entry.key),
            line_note(pos, true)
        );
        let dotted = match &entry.node.value {
            Value::Table(inner) => inner
                .iter()
                .map(|e| format!("{}-{}", entry.key, e.key))
                .find(|joined| known.contains(&joined.as_str())),
            _ => None,
        };
        if let Some(joined) = dotted {
            message.push_str(&format!(
                "; did you mean `{joined}`? (TOML reads a dotted key as a table)"
            ));
        } else if let Some(near) = nearest(&entry.key, known) {
            message.push_str(&format!("; did you mean `{near}`?"));
        } else {
            let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            message.push_str(&format!("; expected one of {}", list.join(", ")));
        }
        self.error(pos, message)
    }

    fn find<'a>(&self, table: &Table<'a>, key: &str) -> Option<&'a Entry> {
        table.entries.iter().find(|e| e.key == key)
    }

    fn string(&self, table: &Table<'_>, key: &str) -> Result<Option<Setting<String>>, Error> {
        let Some(entry) = self.find(table, key) else {
            return Ok(None);
        };
        match &entry.node.value {
            Value::Str(s) => Ok(Some(self.setting(entry, s.clone()))),
            other => Err(self.wrong_type(table, entry, "a string", other.kind())),
        }
    }

    fn boolean(&self, table: &Table<'_>, key: &str) -> Result<Option<Setting<bool>>, Error> {
        let Some(entry) = self.find(table, key) else {
            return Ok(None);
        };
        match &entry.node.value {
            Value::Bool(b) => Ok(Some(self.setting(entry, *b))),
            Value::Str(s) if matches!(s.as_str(), "true" | "false") => Err(self.wrong_type(
                table,
                entry,
                "true or false",
                &format!("the string \"{s}\"; write {key} = {s} without quotes"),
            )),
            other => Err(self.wrong_type(table, entry, "true or false", other.kind())),
        }
    }

    fn setting<T>(&self, entry: &Entry, value: T) -> Setting<T> {
        Setting {
            value,
            key_pos: self.pos(&entry.key_span),
            pos: self.pos(&entry.node.span),
        }
    }

    fn wrong_type(&self, table: &Table<'_>, entry: &Entry, expected: &str, found: &str) -> Error {
        let pos = self.pos(&entry.node.span).or(self.pos(&entry.key_span));
        self.error(
            pos,
            format!(
                "{}: expected {expected}, found {found}",
                place(&table.title, Some(&entry.key), pos, true)
            ),
        )
    }

    fn server(&self, entry: &Entry) -> Result<Server, Error> {
        let t = self.table_entry(entry, &format!("server.{}", shown(&entry.key)), SERVER_KEYS)?;
        let server = Server {
            key: entry.key.clone(),
            pos: self.pos(&entry.key_span),
            zeo_conf: self.string(&t, "zeo-conf")?,
            zdaemon_conf: self.string(&t, "zdaemon-conf")?,
            name: self.string(&t, "name")?,
            deployment: self.string(&t, "deployment")?,
            logrotate: self.boolean(&t, "logrotate")?,
            pack: self.string(&t, "pack")?,
            shell_script: self.boolean(&t, "shell-script")?,
            runzeo: self.string(&t, "runzeo")?,
            zdaemon: self.string(&t, "zdaemon")?,
            zeopack: self.string(&t, "zeopack")?,
        };
        Ok(server)
    }

    fn deployment(&self, entry: &Entry) -> Result<Deployment, Error> {
        let t = self.table_entry(
            entry,
            &format!("deployment.{}", shown(&entry.key)),
            DEPLOYMENT_KEYS,
        )?;
        Ok(Deployment {
            key: entry.key.clone(),
            pos: self.pos(&entry.key_span),
            name: self.string(&t, "name")?,
            user: self.string(&t, "user")?,
            etc_prefix: self.string(&t, "etc-prefix")?,
            var_prefix: self.string(&t, "var-prefix")?,
            crontab_directory: self.string(&t, "crontab-directory")?,
            etc_directory: self.string(&t, "etc-directory")?,
            log_directory: self.string(&t, "log-directory")?,
            logrotate_directory: self.string(&t, "logrotate-directory")?,
            rc_directory: self.string(&t, "rc-directory")?,
            run_directory: self.string(&t, "run-directory")?,
            systemd_directory: self.string(&t, "systemd-directory")?,
            logrotate: self.boolean(&t, "logrotate")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text, Path::new("z.toml")).unwrap_err().to_string()
    }

    #[test]
    fn reads_every_table() {
        let text =
            "[layout]\ndirectory = \"/srv\"\n[server.a]\nzeo-conf = \"x\"\nlogrotate = false\n\
                    [deployment.d]\nuser = \"bob\"\n";
        let config = parse(text, Path::new("z.toml")).unwrap();
        assert_eq!(config.layout.directory.unwrap().value, "/srv");
        let a = &config.servers[0];
        assert_eq!(a.key, "a");
        assert_eq!(a.pos, Some(Pos { line: 3, column: 9 }));
        let zeo = a.zeo_conf.as_ref().unwrap();
        assert_eq!(zeo.key_pos, Some(Pos { line: 4, column: 1 }));
        assert_eq!(
            zeo.pos,
            Some(Pos {
                line: 4,
                column: 12
            })
        );
        assert!(!a.logrotate.as_ref().unwrap().value);
        assert_eq!(config.deployments[0].user.as_ref().unwrap().value, "bob");
    }

    #[test]
    fn refuses_unknown_keys_with_a_suggestion() {
        assert_eq!(
            err("[server.zeoraid]\n\nzeo-cnf = \"\"\n"),
            "z.toml: unknown key `zeo-cnf` in [server.zeoraid] (line 3, column 1); did you mean `zeo-conf`?"
        );
        assert_eq!(
            err("[servers.x]\n"),
            "z.toml: unknown key `servers` at the top level (line 1, column 2); did you mean `server`?"
        );
        assert_eq!(
            err("[server.x]\nzeo.conf = \"\"\n"),
            "z.toml: unknown key `zeo` in [server.x] (line 2, column 1); did you mean `zeo-conf`? \
             (TOML reads a dotted key as a table)"
        );
        assert!(err("[layout]\ncolour = 1\n").contains(
            "unknown key `colour` in [layout] (line 2, column 1); expected one of `directory`, "
        ));
    }

    #[test]
    fn refuses_wrong_types() {
        assert_eq!(
            err("[server.x]\nlogrotate = \"false\"\n"),
            "z.toml: [server.x] logrotate (line 2, column 13): expected true or false, found the \
             string \"false\"; write logrotate = false without quotes"
        );
        assert_eq!(
            err("[server.x]\npack = 5\n"),
            "z.toml: [server.x] pack (line 2, column 8): expected a string, found an integer"
        );
        assert_eq!(
            err("[deployment.d]\nuser = 1979-05-27\n"),
            "z.toml: [deployment.d] user (line 2, column 8): expected a string, found a date-time"
        );
        assert_eq!(
            err("server = \"x\"\n"),
            "z.toml: [server] must be a table, not a string"
        );
        assert_eq!(
            err("[server]\nx = 1\n"),
            "z.toml: `x` (line 2, column 1) must be a table like [server.x], not an integer"
        );
    }

    #[test]
    fn reports_toml_syntax_with_line_and_column() {
        let e = parse("[server.x]\npack = \"a\n", Path::new("z.toml")).unwrap_err();
        assert_eq!(
            e.pos,
            Some(Pos {
                line: 2,
                column: 10
            })
        );
        assert!(
            e.to_string()
                .starts_with("z.toml: invalid TOML (line 2, column 10): "),
            "{e}"
        );
    }
}

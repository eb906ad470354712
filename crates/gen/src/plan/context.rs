//! What every step of planning shares: the file, the layout directories and
//! checked path resolution.

use std::path::{Path, PathBuf};

use crate::config::{Config, Setting};
use crate::error::{place, Error, Pos};
use crate::names::{name_problem, path_problem, shown, NAME_RULE};
use crate::paths::{normalize, resolve};

pub(super) struct Context {
    pub file: PathBuf,
    pub directory: PathBuf,
    pub bin_directory: PathBuf,
    pub parts_directory: PathBuf,
    /// Where the units of parts without a deployment go, if anywhere.
    pub systemd_directory: Option<PathBuf>,
}

impl Context {
    pub fn new(config: &Config, file: &Path) -> Result<Context, Error> {
        let folder = file.parent().unwrap_or(Path::new(""));
        let folder = if folder.is_absolute() {
            folder.to_owned()
        } else {
            let cwd = std::env::current_dir()
                .map_err(|e| Error::new(file, format!("cannot find the current directory: {e}")))?;
            cwd.join(folder)
        };
        let folder = normalize(&folder);
        let mut ctx = Context {
            file: file.to_owned(),
            directory: PathBuf::new(),
            bin_directory: PathBuf::new(),
            parts_directory: PathBuf::new(),
            systemd_directory: None,
        };
        let layout = &config.layout;
        ctx.directory = ctx.path(
            &folder,
            layout.directory.as_ref(),
            ".",
            "layout",
            "directory",
        )?;
        let dir = ctx.directory.clone();
        ctx.bin_directory = ctx.path(
            &dir,
            layout.bin_directory.as_ref(),
            "bin",
            "layout",
            "bin-directory",
        )?;
        ctx.parts_directory = ctx.path(
            &dir,
            layout.parts_directory.as_ref(),
            "parts",
            "layout",
            "parts-directory",
        )?;
        ctx.systemd_directory = ctx.optional_path(
            &dir,
            layout.systemd_directory.as_ref(),
            "layout",
            "systemd-directory",
        )?;
        Ok(ctx)
    }

    pub fn error(&self, pos: Option<Pos>, message: String) -> Error {
        Error::new(&self.file, message).at(pos)
    }

    /// The setting (or `default`) resolved against `base`, refused if it
    /// cannot be written into generated files.
    pub fn path(
        &self,
        base: &Path,
        setting: Option<&Setting<String>>,
        default: &str,
        table: &str,
        key: &str,
    ) -> Result<PathBuf, Error> {
        let value = setting.map_or(default, |s| s.value.as_str());
        let path = resolve(base, value);
        self.check_path(&path, setting.and_then(|s| s.pos), table, key)?;
        Ok(path)
    }

    /// The setting, if given, resolved against `base` and checked.
    pub fn optional_path(
        &self,
        base: &Path,
        setting: Option<&Setting<String>>,
        table: &str,
        key: &str,
    ) -> Result<Option<PathBuf>, Error> {
        setting
            .map(|s| self.path(base, Some(s), "", table, key))
            .transpose()
    }

    /// Refuses a path that is not UTF-8 or would break a generated line.
    pub fn check_path(
        &self,
        path: &Path,
        pos: Option<Pos>,
        table: &str,
        key: &str,
    ) -> Result<(), Error> {
        let problem = match path.to_str() {
            None => Some("it is not valid UTF-8".to_owned()),
            Some(text) => path_problem(text),
        };
        match problem {
            None => Ok(()),
            Some(why) => Err(self.error(
                pos,
                format!(
                    "{}: the path `{}` cannot be used: {why}, which the generated config, cron \
                     and shell lines cannot carry",
                    place(table, Some(key), pos, true),
                    path.display()
                ),
            )),
        }
    }

    /// Refuses a name that cannot be part of a file name; `what` is e.g.
    /// "the part name", `key` the option it came from (if not the table key).
    pub fn check_name(
        &self,
        name: &str,
        what: &str,
        table: &str,
        key: Option<&str>,
        pos: Option<Pos>,
    ) -> Result<(), Error> {
        match name_problem(name) {
            None => Ok(()),
            Some(why) => Err(self.error(
                pos,
                format!(
                    "{}: {what} `{}` cannot be used in file names: {why}; {NAME_RULE}",
                    place(table, key, pos, false),
                    shown(name)
                ),
            )),
        }
    }
}

/// A path as text (plan paths are checked to be UTF-8).
pub(super) fn text(path: &Path) -> String {
    path.display().to_string()
}

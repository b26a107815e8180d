//! Which settings each unit is linted with: the nearest `.vwe-lint.toml` at
//! or above its directory, up to the repository root (as ruff finds its
//! config per file); `--config` names one config for every file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::compose::referenced::lexical;
use crate::discover::Unit;
use crate::settings::{CONFIG_FILE_NAME, ConfigError, Overrides, Settings};
use crate::source::parent_dir;

pub struct ConfigTree {
    /// The settings of the directory the run starts in (or `--config`'s):
    /// they plan the run, decide the exit code, and apply to every file no
    /// nearer config covers.
    run: Settings,
    /// The settings of the other configs, by config path.
    nested: HashMap<PathBuf, Settings>,
    /// Each unit's config among `nested`; `None` for the run's.
    per_unit: Vec<Option<PathBuf>>,
    /// The nearest config of each directory looked at, so that a directory
    /// is searched once however many units it holds.
    nearest: HashMap<PathBuf, Option<PathBuf>>,
}

impl ConfigTree {
    pub fn new(run: Settings) -> ConfigTree {
        ConfigTree {
            run,
            nested: HashMap::new(),
            per_unit: Vec::new(),
            nearest: HashMap::new(),
        }
    }

    /// Finds and loads the config of every unit (in `units`' order).
    pub fn assign(&mut self, units: &[Unit], cwd: &Path, overrides: &Overrides) -> Result<(), ConfigError> {
        self.per_unit.clear();
        for unit in units {
            let config = match (&overrides.config, unit.files.first()) {
                (None, Some(file)) => self.config_for(&file.path, cwd, overrides)?,
                _ => None,
            };
            self.per_unit.push(config);
        }
        Ok(())
    }

    /// The config that applies to `path` when it is not the run's own, loaded.
    pub fn config_for(
        &mut self,
        path: &Path,
        cwd: &Path,
        overrides: &Overrides,
    ) -> Result<Option<PathBuf>, ConfigError> {
        if overrides.config.is_some() {
            return Ok(None);
        }
        let dir = lexical(&cwd.join(parent_dir(path)));
        let config = self
            .nearest(&dir)
            .filter(|config| Some(config) != self.run.config_path.as_ref());
        if let Some(config) = &config
            && !self.nested.contains_key(config)
        {
            let mut settings = Settings::from_config(Some(config), cwd, overrides)?;
            settings.environment = self.run.environment.clone();
            self.nested.insert(config.clone(), settings);
        }
        Ok(config)
    }

    fn nearest(&mut self, dir: &Path) -> Option<PathBuf> {
        let mut searched = Vec::new();
        let mut found = None;
        for ancestor in dir.ancestors() {
            if let Some(known) = self.nearest.get(ancestor) {
                found = known.clone();
                break;
            }
            searched.push(ancestor);
            let candidate = ancestor.join(CONFIG_FILE_NAME);
            if candidate.is_file() {
                found = Some(candidate);
                break;
            }
            if ancestor.join(".git").exists() {
                break;
            }
        }
        for dir in searched {
            self.nearest.insert(dir.to_path_buf(), found.clone());
        }
        found
    }

    pub fn run(&self) -> &Settings {
        &self.run
    }

    pub fn run_mut(&mut self) -> &mut Settings {
        &mut self.run
    }

    /// The settings of the unit at `index` in the units last assigned.
    pub fn for_unit(&self, index: usize) -> &Settings {
        self.settings(self.per_unit.get(index).and_then(Option::as_ref))
    }

    /// The settings of a config [`ConfigTree::config_for`] returned.
    pub fn settings(&self, config: Option<&PathBuf>) -> &Settings {
        config.and_then(|config| self.nested.get(config)).unwrap_or(&self.run)
    }

    /// Every config in use, the run's first.
    pub fn configs(&self) -> impl Iterator<Item = &Settings> {
        let mut nested: Vec<&Settings> = self.nested.values().collect();
        nested.sort_by(|a, b| a.config_path.cmp(&b.config_path));
        std::iter::once(&self.run).chain(nested)
    }
}

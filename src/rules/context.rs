//! What the rules see: a compose file or a variant's merged model, a
//! Dockerfile, and what several compose rules derive from the project (the
//! values every variant wants, a service as its own file writes it).

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use crate::compose::edit::{FileText, Texts};
use crate::compose::model::ProjectFile;
use crate::compose::yaml::{Node, YamlOutput};
use crate::compose::{ComposeFile, Service};
use crate::dockerfile::parse::Dockerfile;
use crate::source::{FileId, SourceFile, Span};
use crate::standards::Standards;

/// A compose file, or the merged model of a project's variant, as the rules see it.
pub struct ComposeContext<'a> {
    /// The file a file-scope rule checks; for the project scope, the
    /// variant's last file (the one it is named after).
    pub source: &'a SourceFile,
    pub yaml: &'a YamlOutput,
    /// File scope: the file's first document, when it is a mapping. Project
    /// scope: the merged model, whose spans point into `files`.
    pub file: Option<ComposeFile<'a>>,
    /// The project's files, by [`crate::source::FileId`].
    pub files: &'a [ProjectFile],
    /// The variant is a production deployment.
    pub production: bool,
    /// The Dockerfiles the services build (by service name), read by the runner.
    pub built: &'a std::collections::HashMap<String, crate::compose::build::BuiltDockerfile>,
    pub standards: &'a Standards,
    /// What interpolating found; the trees already hold the interpolated
    /// values (each scalar's `raw` keeps what was written).
    pub interpolation: &'a crate::compose::interpolate::Interpolation,
    /// Where the project may look (project scope): paths outside it are
    /// neither read nor tested for existence.
    pub reach: Option<&'a crate::compose::referenced::Reach>,
    /// References the model could not resolve (project scope).
    pub problems: &'a [crate::compose::model::ModelProblem],
    /// The merged models of the project's other variants (project scope):
    /// whether something is used at all is a question about every variant.
    pub variant_roots: &'a [&'a crate::compose::yaml::Node],
}

impl<'a> ComposeContext<'a> {
    fn project_file(&self, span: Span) -> Option<&'a ProjectFile> {
        self.files.get(span.file as usize)
    }

    /// The whole text of the file `span` lies in.
    pub fn text(&self, span: Span) -> &'a str {
        self.project_file(span)
            .map_or(&self.source.text, |file| &file.source.text)
    }

    /// The file `span` lies in.
    pub fn source_of(&self, span: Span) -> &'a SourceFile {
        self.project_file(span).map_or(self.source, |file| &file.source)
    }

    /// The directory relative paths written at `span` are resolved from;
    /// `None` for standard input without a name on disk.
    pub fn dir_of(&self, span: Span) -> Option<&'a std::path::Path> {
        self.project_file(span)?.dir()
    }

    /// Whether a path written at `span` exists; `None` when its file has no
    /// directory on disk or the path lies outside the project's reach.
    pub fn path_exists(&self, span: Span, written: &str) -> Option<bool> {
        let path = self.dir_of(span)?.join(written);
        if self.reach.is_some_and(|reach| reach.is_outside(&path)) {
            return None;
        }
        Some(path.exists())
    }

    /// The project's root when a path written at `span` lies outside its
    /// reach (vwe-lint neither reads it nor tests that it exists).
    pub fn outside_root(&self, span: Span, written: &str) -> Option<&'a std::path::Path> {
        let reach = self.reach?;
        let path = self.dir_of(span)?.join(written);
        reach.is_outside(&path).then(|| reach.root()).flatten()
    }

    /// Whether a value depends on a variable that is unset (or is a malformed
    /// expression): its interpolated text is not what will be deployed, and
    /// S004 reports it, so other rules should not judge it.
    pub fn is_unresolved(&self, node: &crate::compose::yaml::Node) -> bool {
        self.interpolation.unresolved.contains(&node.span)
    }

    /// A service's lifecycle. `None` for a label value that is no lifecycle
    /// (C503 reports it).
    pub fn lifecycle(&self, service: &crate::compose::Service<'a>) -> Option<crate::standards::Lifecycle> {
        service.lifecycle(self.standards).lifecycle()
    }
}

/// A parsed Dockerfile as the rules see it.
pub struct DockerfileContext<'a> {
    pub source: &'a SourceFile,
    pub dockerfile: &'a Dockerfile,
    pub standards: &'a Standards,
}

impl Texts for ComposeContext<'_> {
    fn file_text(&self, file: FileId) -> Option<FileText<'_>> {
        let source = self.source_of(Span::point(0).in_file(file));
        // A file-scope context has no project files: its one file is 0.
        (self.files.len() > file as usize || file == 0).then(|| FileText::new(file, &source.text))
    }
}

/// What the services of every variant of a project want the values written
/// at each place to be. A value written once may be seen by several
/// services (an anchor, `extends`) and by several variants (a base shared by
/// overlays that give a service another lifecycle): a fix may change it in
/// place only when all of them want the same, or one `--fix` undoes another.
pub struct Wants<T> {
    by_site: HashMap<Span, HashSet<T>>,
}

impl<T: Eq + Hash> Wants<T> {
    /// Asks `want` for the `(place, wanted value)` pairs of every service in
    /// every variant of the project (the file alone when it has none).
    pub fn collect<'a, I>(cx: &ComposeContext<'a>, mut want: impl FnMut(Service<'a>) -> I) -> Self
    where
        I: IntoIterator<Item = (Span, T)>,
    {
        let roots: Vec<&'a Node> = match (cx.variant_roots, cx.file) {
            ([], Some(file)) => vec![file.root],
            (roots, _) => roots.to_vec(),
        };
        let mut by_site: HashMap<Span, HashSet<T>> = HashMap::new();
        for file in roots.into_iter().filter_map(ComposeFile::new) {
            for (site, wanted) in file.services().flat_map(&mut want) {
                by_site.entry(site).or_default().insert(wanted);
            }
        }
        Self { by_site }
    }

    /// Whether everything that sees the value at `site` wants the same.
    pub fn agreed(&self, site: Span) -> bool {
        self.by_site.get(&site).is_none_or(|wanted| wanted.len() <= 1)
    }
}

/// The service as the variant's own file (the last one, the one the variant
/// is named after) writes it, before merging and `extends`: the place for a
/// value only this variant's service wants. `None` when that file does not
/// write the service.
pub fn own_entry<'a>(cx: &ComposeContext<'a>, name: &str) -> Option<Service<'a>> {
    let entry = cx
        .yaml
        .documents
        .first()?
        .get("services")?
        .as_mapping()?
        .get_entry(name)?;
    entry.value.as_mapping()?;
    Some(Service {
        name: entry.key.as_str()?,
        entry,
    })
}

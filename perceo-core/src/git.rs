//! The change set: files changed between the merge base of two refs and the head
//! (`base...head`), or uncommitted work against HEAD.
//!
//! The change set is always repository-wide: in a monorepo a project in `apps/web` sees the
//! changes to `packages/ui` and to the root lockfile too. Every path is written relative to
//! the project directory, climbing with `../` for files outside it
//! (`../../packages/ui/src/Button.tsx`) — the same notation as the dependency graph, so a
//! path can be looked up there as it is. [`repo_path`] turns one into the
//! repository-relative form (CI annotations use it).

use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Repository};
use serde::Serialize;

use crate::error::{Error, Result};

/// How a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeStatus {
    /// New file.
    Added,
    /// Changed content.
    Modified,
    /// Removed.
    Deleted,
    /// Moved (maybe with edits); `old_path` says from where.
    Renamed,
}

/// One changed file.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileChange {
    /// Path relative to the project directory, `/` separators; files outside the project
    /// climb with `../` (`../../packages/ui/src/Button.tsx`).
    pub path: String,
    /// Added, modified, deleted or renamed.
    pub status: ChangeStatus,
    /// For renames: the previous path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_path: Option<String>,
    /// Lines added.
    pub additions: usize,
    /// Lines deleted.
    pub deletions: usize,
}

/// The files changed between two points of history.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeSet {
    /// The base commit as given, resolved.
    pub base_sha: String,
    /// The head commit (for working-tree changes: HEAD).
    pub head_sha: String,
    /// The merge base the diff starts from.
    pub merge_base: String,
    /// Changed files of the whole repository (project-relative notation), sorted by path.
    pub changes: Vec<FileChange>,
    /// Things the caller should know about how the change set was read (files left out of
    /// a sparse checkout, blobs missing from a partial clone).
    pub warnings: Vec<String>,
}

fn git_err(message: impl Into<String>) -> Error {
    Error::Git {
        message: message.into(),
    }
}

struct Repo {
    repo: Repository,
    /// The project directory relative to the work tree (`""` at the root), `/`-separated.
    prefix: String,
}

impl Repo {
    fn open(project_dir: &Path) -> Result<Repo> {
        let repo = Repository::discover(project_dir).map_err(|e| {
            git_err(format!(
                "{} is not inside a git repository ({})",
                project_dir.display(),
                e.message()
            ))
        })?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| git_err("the repository is bare; run Perceo in a checkout"))?;
        let workdir = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
        let project = std::fs::canonicalize(project_dir).unwrap_or_else(|_| project_dir.to_path_buf());
        let prefix = project
            .strip_prefix(&workdir)
            .map(|p| os_path_to_slashes(&p.to_string_lossy()))
            .unwrap_or_default();
        Ok(Repo { repo, prefix })
    }

    fn workdir(&self) -> PathBuf {
        self.repo.workdir().map(Path::to_path_buf).unwrap_or_default()
    }

    fn commit(&self, refname: &str) -> Result<Oid> {
        let obj = self.repo.revparse_single(refname).map_err(|e| {
            git_err(format!(
                "cannot resolve `{refname}` ({}); use a branch, tag, SHA or HEAD~n that exists here (in CI, fetch the base branch)",
                e.message()
            ))
        })?;
        let commit = obj
            .peel_to_commit()
            .map_err(|_| git_err(format!("`{refname}` does not name a commit")))?;
        Ok(commit.id())
    }

    /// Project-relative form of a repository path (`../` segments when outside the project).
    fn to_project(&self, path: &Path) -> String {
        // Paths from git are `/`-separated on every platform, and a `\` in them is part of a
        // file name: kept byte-exact.
        project_path(&self.prefix, &path.to_string_lossy())
    }

    /// Repository-relative form of a project-relative path.
    fn to_repo(&self, path: &str) -> String {
        repo_path(&self.prefix, path)
    }
}

/// A path of the operating system with `/` separators: Windows' `\` become `/` there, and
/// elsewhere a `\` is part of a name and stays.
fn os_path_to_slashes(path: &str) -> String {
    if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_string()
    }
}

/// The project-relative form of a repository-relative path, given the project's folder in
/// the repository (`prefix`, `""` at the root): `packages/ui/a.ts` seen from `apps/web` is
/// `../../packages/ui/a.ts`.
pub fn project_path(prefix: &str, repo_path: &str) -> String {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() {
        return repo_path.to_string();
    }
    if let Some(inside) = repo_path.strip_prefix(prefix).and_then(|r| r.strip_prefix('/')) {
        return inside.to_string();
    }
    let prefix_parts: Vec<&str> = prefix.split('/').collect();
    let path_parts: Vec<&str> = repo_path.split('/').collect();
    let common = prefix_parts.iter().zip(&path_parts).take_while(|(a, b)| a == b).count();
    let mut out = "../".repeat(prefix_parts.len() - common);
    out.push_str(&path_parts[common..].join("/"));
    out
}

/// The repository-relative form of a project-relative path (the inverse of
/// [`project_path`]); `..` segments that would leave the repository are dropped.
pub fn repo_path(prefix: &str, project_path: &str) -> String {
    let mut parts: Vec<&str> = prefix.split('/').filter(|p| !p.is_empty()).collect();
    for part in project_path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Files changed between `merge-base(base, head)` and `head`. In a shallow clone without
/// the merge base, history is deepened from the remote when there is one.
pub fn changes_between(project_dir: &Path, base: &str, head: &str) -> Result<ChangeSet> {
    check_ref("base", base)?;
    check_ref("head", head)?;
    let mut repo = Repo::open(project_dir)?;
    let base_oid = commit_deepening(&mut repo, base)?;
    let head_oid = commit_deepening(&mut repo, head)?;
    let merge_base = merge_base_deepening(&mut repo, base_oid, head_oid, base, head)?;
    let old_tree = repo
        .repo
        .find_commit(merge_base)
        .and_then(|c| c.tree())
        .map_err(|e| git_err(e.message()))?;
    let new_tree = repo
        .repo
        .find_commit(head_oid)
        .and_then(|c| c.tree())
        .map_err(|e| git_err(e.message()))?;
    let mut opts = DiffOptions::new();
    let mut diff = repo
        .repo
        .diff_tree_to_tree(Some(&old_tree), Some(&new_tree), Some(&mut opts))
        .map_err(|e| git_err(e.message()))?;
    let (changes, warnings) = collect(&repo, &mut diff, &mut SparseIndex::default())?;
    Ok(ChangeSet {
        base_sha: base_oid.to_string(),
        head_sha: head_oid.to_string(),
        merge_base: merge_base.to_string(),
        changes,
        warnings,
    })
}

/// The content of a project-relative file at a commit (`None` when absent or not text).
pub fn file_at(project_dir: &Path, commit: &str, path: &str) -> Result<Option<String>> {
    let repo = Repo::open(project_dir)?;
    let oid = repo.commit(commit)?;
    let tree = repo
        .repo
        .find_commit(oid)
        .and_then(|c| c.tree())
        .map_err(|e| git_err(e.message()))?;
    let repo_path = repo.to_repo(path);
    let Ok(entry) = tree.get_path(Path::new(&repo_path)) else {
        return Ok(None);
    };
    match entry.to_object(&repo.repo).and_then(|o| o.peel_to_blob()) {
        Ok(blob) => Ok(String::from_utf8(blob.content().to_vec()).ok()),
        // A partial clone (`--filter=blob:none`) lacks the blob: git itself fetches it from
        // the promisor remote, which libgit2 cannot.
        Err(_) => fetch_missing_blob(&repo, entry.id(), &repo_path).map(|bytes| String::from_utf8(bytes).ok()),
    }
}

/// A blob that is not in the object database (a partial clone), read through `git cat-file`,
/// which fetches it from the promisor remote.
fn fetch_missing_blob(repo: &Repo, oid: Oid, path: &str) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo.workdir())
        .args(["cat-file", "blob", &oid.to_string()])
        .output()
        .map_err(|e| git_err(format!("cannot run git to fetch the missing blob of {path}: {e}")))?;
    if !out.status.success() {
        return Err(git_err(format!(
            "the content of {path} at {} is missing from this partial clone and could not be fetched ({}); fetch it with `git fetch` or clone without --filter",
            &oid.to_string()[..8],
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

/// A unified diff (3 lines of context) of one file's two versions; `None` is an absent side.
pub fn unified_diff(old: Option<&str>, new: Option<&str>, path: &str) -> Result<String> {
    let mut options = git2::DiffOptions::new();
    options.context_lines(3);
    let mut patch = git2::Patch::from_buffers(
        old.unwrap_or_default().as_bytes(),
        Some(Path::new(path)),
        new.unwrap_or_default().as_bytes(),
        Some(Path::new(path)),
        Some(&mut options),
    )
    .map_err(|e| git_err(e.message()))?;
    let buf = patch.to_buf().map_err(|e| git_err(e.message()))?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// The project's folder relative to the repository's work tree (`""` at its root,
/// `/`-separated), for paths that tools outside Perceo read from the repository root.
pub fn project_prefix(project_dir: &Path) -> Result<String> {
    Ok(Repo::open(project_dir)?.prefix)
}

/// The commit checked out in the project's work tree.
pub fn checked_out_commit(project_dir: &Path) -> Result<String> {
    Ok(Repo::open(project_dir)?.commit("HEAD")?.to_string())
}

/// Uncommitted work (staged, unstaged and untracked files) against HEAD, for watch mode
/// and pre-commit use.
pub fn working_tree_changes(project_dir: &Path) -> Result<ChangeSet> {
    let repo = Repo::open(project_dir)?;
    let head_oid = repo.commit("HEAD")?;
    let tree = repo
        .repo
        .find_commit(head_oid)
        .and_then(|c| c.tree())
        .map_err(|e| git_err(e.message()))?;
    let mut opts = DiffOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true);
    let mut diff = repo
        .repo
        .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts))
        .map_err(|e| git_err(e.message()))?;
    let mut sparse = SparseIndex::read(&repo.repo)?;
    let (changes, mut warnings) = collect(&repo, &mut diff, &mut sparse)?;
    if sparse.skipped > 0 {
        warnings.push(format!(
            "{} file(s) outside the sparse checkout are not in the work tree; they are not changes and were left out",
            sparse.skipped
        ));
    }
    Ok(ChangeSet {
        base_sha: head_oid.to_string(),
        head_sha: head_oid.to_string(),
        merge_base: head_oid.to_string(),
        changes,
        warnings,
    })
}

/// What deepening a shallow clone by one more step gave.
enum Deepened {
    /// More history was fetched (the repository is reopened to see it).
    Yes,
    /// Not shallow: there is nothing more to fetch.
    NotShallow,
}

/// Fetches more history into a shallow clone (`git fetch --deepen=50·2^attempt` from its
/// first remote). `need` says what the history is needed for, in errors.
fn deepen(repo: &mut Repo, attempt: u32, need: &str) -> Result<Deepened> {
    if !repo.repo.is_shallow() {
        return Ok(Deepened::NotShallow);
    }
    let remote_names = repo.repo.remotes().map_err(|e| git_err(e.message()))?;
    let Some(remote) = remote_names.iter().flatten().next().flatten().map(str::to_owned) else {
        return Err(git_err(format!(
            "this is a shallow clone without {need}, and it has no remote to fetch more history from; clone with full history (in GitHub Actions: `fetch-depth: 0` on actions/checkout) or `git fetch --deepen=N`"
        )));
    };
    let depth = 50u32 << attempt;
    let status = Command::new("git")
        .arg("-C")
        .arg(repo.workdir())
        .args(["fetch", "--quiet", &format!("--deepen={depth}"), remote.as_str()])
        .status();
    if !status.is_ok_and(|s| s.success()) {
        return Err(git_err(format!(
            "this is a shallow clone without {need}, and `git fetch --deepen={depth} {remote}` failed; clone with full history (`fetch-depth: 0`)"
        )));
    }
    // libgit2 caches the shallow boundary: reopen to see the fetched history.
    repo.repo = Repository::open(repo.repo.path()).map_err(|e| git_err(e.message()))?;
    Ok(Deepened::Yes)
}

/// Resolves `refname` to a commit; in a shallow clone that lacks the history it names
/// (`HEAD~5` from `--depth 1`), history is deepened from the remote first.
fn commit_deepening(repo: &mut Repo, refname: &str) -> Result<Oid> {
    for attempt in 0..6 {
        match repo.commit(refname) {
            Ok(oid) => return Ok(oid),
            Err(e) => match deepen(repo, attempt, &format!("the history `{refname}` names"))? {
                Deepened::Yes => continue,
                Deepened::NotShallow => return Err(e),
            },
        }
    }
    repo.commit(refname)
}

fn merge_base_deepening(repo: &mut Repo, base: Oid, head: Oid, base_ref: &str, head_ref: &str) -> Result<Oid> {
    for attempt in 0..6 {
        match repo.repo.merge_base(base, head) {
            Ok(oid) => return Ok(oid),
            Err(_) => match deepen(
                repo,
                attempt,
                &format!("the merge base of `{base_ref}` and `{head_ref}`"),
            )? {
                Deepened::Yes => continue,
                Deepened::NotShallow => {
                    return Err(git_err(format!(
                        "`{base_ref}` and `{head_ref}` have no common ancestor; compare refs of the same history"
                    )));
                }
            },
        }
    }
    Err(git_err(format!(
        "no merge base of `{base_ref}` and `{head_ref}` even after deepening the shallow clone; clone with full history (`fetch-depth: 0`)"
    )))
}

/// Checks a ref given from outside (a flag, an API body): a branch, tag, SHA or revision
/// such as `HEAD~2` or `main@{1}` — never an option (`--upload-pack=…`) or shell text.
/// `field` names it in the error.
pub fn check_ref(field: &str, value: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "/._-~^@{}+".contains(c);
    let problem = if value.is_empty() {
        Some("is empty")
    } else if value.len() > 255 {
        Some("is longer than 255 characters")
    } else if value.starts_with('-') {
        Some("starts with `-`")
    } else if !value.chars().all(allowed) {
        Some("holds characters no ref or SHA has")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Error::Argument(format!(
            "`{field}` {problem}: give a branch, tag, SHA or revision such as HEAD~1 (got {:?})",
            value.chars().take(80).collect::<String>()
        ))),
        None => Ok(()),
    }
}

/// The index entries a sparse checkout leaves out of the work tree (skip-worktree): libgit2
/// compares them with the absent work-tree files and would report them deleted.
#[derive(Default)]
struct SparseIndex {
    paths: std::collections::HashSet<Vec<u8>>,
    /// How many deltas were left out because of it.
    skipped: usize,
}

impl SparseIndex {
    fn read(repo: &Repository) -> Result<SparseIndex> {
        let index = repo.index().map_err(|e| git_err(e.message()))?;
        let skip = git2::IndexEntryExtendedFlag::SKIP_WORKTREE.bits();
        let paths = index
            .iter()
            .filter(|e| e.flags_extended & skip != 0)
            .map(|e| e.path)
            .collect();
        Ok(SparseIndex { paths, skipped: 0 })
    }

    fn contains(&self, path: Option<&Path>) -> bool {
        !self.paths.is_empty() && path.is_some_and(|p| self.paths.contains(p.to_string_lossy().as_bytes()))
    }
}

fn collect(repo: &Repo, diff: &mut git2::Diff<'_>, sparse: &mut SparseIndex) -> Result<(Vec<FileChange>, Vec<String>)> {
    let mut warnings = Vec::new();
    let mut find = DiffFindOptions::new();
    find.renames(true).renames_from_rewrites(false);
    if let Err(e) = diff.find_similar(Some(&mut find)) {
        // Rename detection reads blobs; a partial clone may lack them. Renames then show as
        // a deletion plus an addition, which the analysis handles too.
        warnings.push(format!(
            "renames were not detected ({}); a rename shows as a deletion and an addition",
            e.message()
        ));
    }
    let mut missing_stats = 0;
    let mut changes = Vec::new();
    for (idx, delta) in diff.deltas().enumerate() {
        if delta.status() == Delta::Deleted && sparse.contains(delta.old_file().path()) {
            sparse.skipped += 1;
            continue;
        }
        let new_path = delta.new_file().path().map(|p| repo.to_project(p));
        let old_path = delta.old_file().path().map(|p| repo.to_project(p));
        let (path, status, old) = match delta.status() {
            Delta::Added | Delta::Untracked => (new_path, ChangeStatus::Added, None),
            Delta::Deleted => (old_path, ChangeStatus::Deleted, None),
            Delta::Renamed => (new_path, ChangeStatus::Renamed, old_path),
            Delta::Modified | Delta::Typechange | Delta::Copied => (new_path, ChangeStatus::Modified, None),
            _ => continue,
        };
        let Some(path) = path else { continue };
        let stats = git2::Patch::from_diff(diff, idx)
            .ok()
            .flatten()
            .and_then(|p| p.line_stats().ok())
            .map(|(_, a, d)| (a, d));
        if stats.is_none() && !delta.flags().is_binary() && delta.status() != Delta::Untracked {
            missing_stats += 1;
        }
        let (additions, deletions) = stats.unwrap_or((0, 0));
        changes.push(FileChange {
            path,
            status,
            old_path: old,
            additions,
            deletions,
        });
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    if missing_stats > 0 {
        warnings.push(format!(
            "{missing_stats} changed file(s) could not be read to count lines (a partial clone lacks their content); they are still analysed"
        ));
    }
    Ok((changes, warnings))
}

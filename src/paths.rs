//! Small path helpers shared by loaders and renderers.

use std::path::{Component, Path, PathBuf};

/// `path` relative to `base` with `/` separators when it lies under `base`; `None` otherwise.
pub fn relative_to(path: &Path, base: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    let parts: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect();
    Some(if parts.is_empty() { ".".to_owned() } else { parts.join("/") })
}

/// How to show a path in an error message: relative to the current directory when under it,
/// otherwise as given.
pub fn display(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| relative_to(path, &cwd))
        .filter(|rel| rel != ".")
        .unwrap_or_else(|| path.display().to_string())
}

/// `$CARGO_HOME`, or `~/.cargo` as cargo defaults it (see [`crate::cargo_config::cargo_home`]),
/// from this process's environment.
pub fn cargo_home() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    crate::cargo_config::cargo_home(&cwd, &crate::cargo_config::process_env())
        .unwrap_or_else(|| PathBuf::from(".cargo"))
}

/// Makes `path` absolute against the current directory and removes `.` and `..` components
/// lexically (without touching the file system, so it works for paths that do not exist).
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|cwd| cwd.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `base`, with `..` where it lies outside; `/` separators.
pub fn relative(path: &Path, base: &Path) -> String {
    let path: Vec<_> = path.components().collect();
    let base: Vec<_> = base.components().collect();
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_owned(), base.len() - common).collect();
    parts.extend(path[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    if parts.is_empty() { ".".to_owned() } else { parts.join("/") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_use_forward_slashes() {
        let base = Path::new("/ws");
        assert_eq!(relative_to(Path::new("/ws/a/b.toml"), base).as_deref(), Some("a/b.toml"));
        assert_eq!(relative_to(Path::new("/ws"), base).as_deref(), Some("."));
        assert_eq!(relative_to(Path::new("/other"), base), None);
    }

    #[test]
    fn relative_paths_may_leave_the_base() {
        assert_eq!(relative(Path::new("/ws/crates/a"), Path::new("/ws")), "crates/a");
        assert_eq!(relative(Path::new("/ws"), Path::new("/ws")), ".");
        assert_eq!(relative(Path::new("/other/b"), Path::new("/ws/x")), "../../other/b");
    }

    #[test]
    fn absolute_removes_dots() {
        assert_eq!(absolute(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}

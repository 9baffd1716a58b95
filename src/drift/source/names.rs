//! The name rules of each value that becomes a segment of a request's path, checked before the
//! request is made: a project named `..` would otherwise be a dot-segment, and the request would
//! go to another path of the same host, with its credentials (a percent-encoded `%2E%2E` is
//! a dot-segment too, by the URL standard). A value that breaks its rules is not asked for; the
//! check is unknown, saying why.

/// A PyPI or TestPyPI project name (PEP 508, as warehouse's `PROJECT_NAME_RE`): ASCII letters
/// and digits, with `.`, `_` and `-` inside.
pub fn pypi_project(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(c))
}

/// A crate name (crates.io): an ASCII letter first, then ASCII letters, digits, `-` and `_`,
/// at most 64 characters.
pub fn crate_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphabetic()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_".contains(c))
}

/// A gem name (RubyGems): ASCII letters, digits, `.`, `-` and `_`, with at least one letter or
/// digit.
pub fn gem_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 255
        && b.iter().any(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(c))
}

/// A GitHub user or organization: ASCII letters, digits and single inner hyphens, at most 39.
pub fn github_owner(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 39
        && b[0] != b'-'
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

/// A GitHub repository name: ASCII letters, digits, `.`, `-` and `_`, at most 100, and not `.`
/// or `..`.
pub fn github_repository(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 100
        && !is_dot_segment(name)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(c))
}

/// A name GitHub allows with few rules (an environment, a branch, a workflow file): anything
/// but empty, `.` or `..`, and at most 255 characters.
pub fn github_segment(name: &str) -> bool {
    !name.is_empty() && name.len() <= 255 && !is_dot_segment(name)
}

/// A workflow file name: a [`github_segment`] without `/`.
pub fn workflow_file(name: &str) -> bool {
    github_segment(name) && !name.contains(['/', '\\'])
}

/// `.` or `..`: a segment that a URL resolves away.
fn is_dot_segment(name: &str) -> bool {
    matches!(name, "." | "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_and_bad_characters_are_refused_everywhere() {
        for name in ["..", ".", "", "a/b", "a b", "é"] {
            assert!(!pypi_project(name), "{name}");
            assert!(!crate_name(name), "{name}");
            assert!(!github_repository(name), "{name}");
        }
        assert!(!gem_name(".."));
        assert!(!github_segment(".."));
        assert!(!workflow_file("../x.yml"));
    }

    #[test]
    fn real_names_pass() {
        assert!(pypi_project("owlclaw") && pypi_project("Friendly.Bard-2"));
        assert!(!pypi_project("-x") && !pypi_project("x."));
        assert!(crate_name("serde_json") && !crate_name("9lives"));
        assert!(gem_name("rails") && gem_name("net-http.rb_x"));
        assert!(github_owner("octo-org") && !github_owner("-x"));
        assert!(github_repository(".github") && github_repository("a..b"));
        assert!(github_segment("release/v1") && workflow_file("release.yml"));
    }
}

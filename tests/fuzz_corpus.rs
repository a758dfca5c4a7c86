//! Replays the fuzzers' checked-in corpus (`fuzz/corpus/<target>/`) and every input that
//! once broke something (`fuzz/regressions/<target>/`) through the same invariant checks
//! the fuzz targets run, on stable Rust, so `cargo test` keeps them fixed.
//!
//! A binary of its own, not a module of `tests/tests.rs`: the fuzz harness empties
//! `PATH` for its whole process (so no interpreter is ever found), which would break
//! the end-to-end tests that spawn programs.

#[path = "../fuzz/fuzz_targets/checks.rs"]
mod checks;
#[path = "../fuzz/fuzz_targets/harness.rs"]
mod harness;

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut found = Vec::new();
    for kind in ["corpus", "regressions"] {
        let Ok(dir) = std::fs::read_dir(root.join(kind).join(target)) else {
            continue;
        };
        for entry in dir.flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            found.push((entry.path(), std::fs::read(entry.path()).unwrap()));
        }
    }
    found.sort();
    found
}

fn replay(target: &str, check: fn(&[u8])) {
    let all = inputs(target);
    assert!(!all.is_empty(), "no corpus for {target}");
    for (path, data) in all {
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
    }
}

#[test]
fn envelope_corpus() {
    replay("envelope", checks::envelope);
}

#[test]
fn tool_args_corpus() {
    replay("tool_args", checks::tool_args);
}

#[test]
fn resource_uri_corpus() {
    replay("resource_uri", checks::resource_uri);
}

#[test]
fn skill_loader_corpus() {
    replay("skill_loader", checks::skill_loader);
}

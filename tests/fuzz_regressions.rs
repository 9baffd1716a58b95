//! Every input kept in `fuzz/regressions/<target>/`, replayed through the fuzz targets' own
//! harness (`fuzz/harness.rs`): crashes the fuzzers found, once fixed, and hostile inputs
//! written by hand. A new crash goes in with `cp fuzz/artifacts/<target>/crash-* fuzz/regressions/<target>/`.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no regression inputs for {target}");
    for input in inputs {
        let data = std::fs::read(&input).unwrap();
        let started = std::time::Instant::now();
        if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            panic!("{}: {message}", input.display());
        }
        // libFuzzer's -timeout is 10 s; a debug build gets more room, but not unbounded.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{}: took {:?}",
            input.display(),
            started.elapsed()
        );
    }
}

#[test]
fn workflow_regressions() {
    replay("workflow", harness::workflow);
}

#[test]
fn config_regressions() {
    replay("config", harness::config);
}

#[test]
fn jwt_regressions() {
    replay("jwt", harness::jwt);
}

#[test]
fn log_regressions() {
    replay("log", harness::log);
}

#[test]
fn drift_regressions() {
    replay("drift", harness::drift);
}

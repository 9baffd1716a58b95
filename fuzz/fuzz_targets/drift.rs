//! Fuzz target `drift`: see `fuzz/harness.rs` for what it does with each input.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::drift(data));

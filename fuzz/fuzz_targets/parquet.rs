//! Fuzz target `parquet`: see `fuzz/targets.rs`.
#![no_main]

#[path = "../targets.rs"]
mod targets;

/// The repository root, from this crate's folder.
const ROOT: &str = "..";

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::parquet(data));

//! The fuzz targets of `fuzz/targets.rs` on stable Rust: each runs over its seed corpus (the
//! small test fixtures, as `fuzz/run.sh` gives `cargo fuzz`) and over proptest mutations of
//! those seeds (bytes flipped, inserted, deleted, lines duplicated). CI runs this when the
//! nightly toolchain or cargo-fuzz is missing; it is part of `cargo test` everywhere.

#[path = "../fuzz/targets.rs"]
mod targets;

/// The repository root, from this crate's folder.
const ROOT: &str = ".";

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Seed files for a target: the small fixtures (under 128 KiB) whose names end in one of
/// `suffixes`, plus the committed `fuzz/seeds/<target>` files.
fn seeds(target: &str, suffixes: &[&str]) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = Vec::new();
    for folder in ["tests/fixtures", "tests/fixtures/lgbm", "assets"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    files.retain(|path| {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        suffixes.iter().any(|suffix| name.ends_with(suffix))
    });
    if let Ok(entries) = std::fs::read_dir(root.join("fuzz/seeds").join(target)) {
        files.extend(entries.map(|entry| entry.unwrap().path()));
    }
    files.sort();
    let seeds: Vec<Vec<u8>> = files
        .iter()
        .filter(|path| path.metadata().is_ok_and(|meta| meta.is_file() && meta.len() < 128 * 1024))
        .map(|path| std::fs::read(path).unwrap())
        .collect();
    assert!(!seeds.is_empty(), "no seeds for {target}");
    seeds
}

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Flip { at: usize, bit: u8 },
    Set { at: usize, byte: u8 },
    Insert { at: usize, bytes: Vec<u8> },
    Delete { at: usize, len: usize },
    DuplicateLine { at: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    let interesting = prop_oneof![
        Just(b"nan".to_vec()),
        Just(b"-inf".to_vec()),
        Just(b"1e400".to_vec()),
        Just(b"-1".to_vec()),
        Just(b"99999999999999999999".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b",".to_vec()),
        Just(b"=".to_vec()),
        Just("\u{feff}".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Edit::Flip { at, bit }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Set { at, byte }),
        (any::<usize>(), interesting).prop_map(|(at, bytes)| Edit::Insert { at, bytes }),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Edit::Delete { at, len }),
        any::<usize>().prop_map(|at| Edit::DuplicateLine { at }),
    ]
}

fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for edit in edits {
        let len = bytes.len();
        match edit {
            Edit::Flip { at, bit } if len > 0 => bytes[at % len] ^= 1 << bit,
            Edit::Set { at, byte } if len > 0 => bytes[at % len] = *byte,
            Edit::Insert { at, bytes: inserted } => {
                let at = at % (len + 1);
                bytes.splice(at..at, inserted.iter().copied());
            }
            Edit::Delete { at, len: count } if len > 0 => {
                let at = at % len;
                bytes.drain(at..(at + count).min(len));
            }
            Edit::DuplicateLine { at } if len > 0 => {
                let at = at % len;
                let start = bytes[..at].iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
                let end = bytes[at..].iter().position(|b| *b == b'\n').map_or(len, |p| at + p + 1);
                let line = bytes[start..end].to_vec();
                bytes.splice(start..start, line);
            }
            _ => {}
        }
    }
    bytes
}

/// Runs `target` on every seed, then on `cases` mutations (a fixed seed, so CI is repeatable).
fn fuzz(target: fn(&[u8]), seeds: &[Vec<u8>], cases: u32) {
    for seed in seeds {
        target(seed);
    }
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(
        config,
        proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let strategy = (0..seeds.len(), proptest::collection::vec(edit(), 1..6));
    let result = runner.run(&strategy, |(index, edits)| {
        target(&apply(&seeds[index], &edits));
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

#[test]
fn model_parse() {
    fuzz(targets::model_parse, &seeds("model_parse", &[".model.txt"]), 512);
}

#[test]
fn model_explain() {
    fuzz(targets::model_explain, &seeds("model_explain", &[".model.txt"]), 256);
}

#[test]
fn card() {
    fuzz(targets::card, &seeds("card", &["model.json"]), 512);
}

#[test]
fn csv() {
    fuzz(targets::csv, &seeds("csv", &["input.csv"]), 256);
}

#[test]
fn parquet() {
    fuzz(targets::parquet, &seeds("parquet", &[".parquet"]), 128);
}

#[test]
fn api_json() {
    fuzz(targets::api_json, &seeds("api_json", &[]), 128);
}

//! Loading a full-size client table: 307,511 rows (the size of Kaggle's application_train.csv),
//! made with `pad synth`, read as CSV and as Parquet. Each load runs in a fresh process so that
//! its peak memory (VmHWM) is its own.
//!
//!     cargo bench --bench loading
//!
//! Prints, per format, the file size, the median load time over three runs, and the peak
//! resident memory of the loading process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use pad::data::ClientTable;
use pad::data::synth::{SynthOptions, write};

const ROWS: usize = 307_511;

fn peak_memory_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Child mode: load one file, print "seconds peak_kib rows".
fn load_once(path: &Path) {
    let start = Instant::now();
    match ClientTable::load(path) {
        Ok(table) => println!("{} {} {}", start.elapsed().as_secs_f64(), peak_memory_kib(), table.n_rows()),
        Err(error) => eprintln!("load failed: {error}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(index) = args.iter().position(|arg| arg == "--load") {
        if let Some(path) = args.get(index + 1) {
            load_once(Path::new(path));
        }
        return;
    }
    let dir = PathBuf::from(option_env!("CARGO_TARGET_TMPDIR").unwrap_or("/tmp")).join("pad-loading-bench");
    let _ = std::fs::create_dir_all(&dir);
    let Ok(exe) = std::env::current_exe() else { return };
    println!("Loading {ROWS} synthetic clients (122 columns), one process per load:");
    for name in ["history.csv", "history.parquet"] {
        let path = dir.join(name);
        if !path.exists() {
            let options = SynthOptions {
                rows: ROWS,
                seed: 1,
                with_target: true,
                first_id: 100_001,
                shift: pad::data::synth::Shift::NONE,
            };
            if let Err(error) = write(&options, &path) {
                eprintln!("cannot write {}: {error}", path.display());
                return;
            }
        }
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let mut runs: Vec<(f64, u64)> = Vec::new();
        for _ in 0..3 {
            let output = Command::new(&exe).arg("--load").arg(&path).output();
            let Ok(output) = output else { continue };
            let text = String::from_utf8_lossy(&output.stdout);
            let fields: Vec<&str> = text.split_whitespace().collect();
            if let (Some(seconds), Some(peak)) =
                (fields.first().and_then(|s| s.parse().ok()), fields.get(1).and_then(|s| s.parse().ok()))
            {
                runs.push((seconds, peak));
            } else {
                eprintln!("{}", String::from_utf8_lossy(&output.stderr));
            }
        }
        runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((seconds, peak)) = runs.get(runs.len() / 2) {
            println!(
                "  {name:<16} {:>7.1} MB on disk   load {seconds:.2} s (median of {})   peak memory {:.0} MiB",
                size as f64 / 1e6,
                runs.len(),
                *peak as f64 / 1024.0
            );
        }
    }
}

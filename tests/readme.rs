//! Every `pad` command of the README's shell blocks, run as a newcomer would copy it: from a
//! fresh folder holding only the bundled `data/` and `assets/`, once as written without its
//! optional `[...]` parts and once with all of them (when they are plain options). Only the
//! long-running server and training (which needs the `train` feature and minutes) are left to
//! their own tests; the training command is still checked to parse.

mod common;

use std::path::Path;
use std::process::Command;

/// A journal in `data_home/pad/journal.sqlite` (the default under `XDG_DATA_HOME`) with 50
/// decisions on client 400005, for the README's `pad journal` commands.
fn seed_journal(data_home: &Path) {
    let draft = common::proposed_draft(400005, "ana");
    let url = pad::journal::JournalUrl::Sqlite(data_home.join("pad").join("journal.sqlite"));
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let journal = pad::journal::Journal::open(&url).await.unwrap();
        for _ in 0..50 {
            journal.record(&draft, None).await.unwrap();
        }
        journal.close().await;
    });
}

/// The README's `pad …` commands, continuation lines joined, comments dropped.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut commands: Vec<String> = Vec::new();
    let mut in_block = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_block = line.trim() == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        let code = line.split(" #").next().unwrap_or_default();
        if code.starts_with("pad ") || code == "pad" {
            commands.push(code.trim().to_string());
        } else if code.starts_with(' ')
            && !code.trim().is_empty()
            && let Some(last) = commands.last_mut()
        {
            last.push(' ');
            last.push_str(code.trim());
        }
    }
    commands
}

/// The command without its optional parts, and with them when they are plain options.
fn forms(command: &str) -> Vec<Vec<String>> {
    let mut minimal = String::new();
    let mut depth = 0;
    for character in command.chars() {
        match character {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => minimal.push(character),
            _ => {}
        }
    }
    let words = |text: &str| text.split_whitespace().skip(1).map(str::to_string).collect::<Vec<_>>();
    let mut forms = vec![words(&minimal)];
    let full = command.replace(['[', ']'], "");
    if !full.contains('|') && !full.contains("...") && !full.contains('…') && full != minimal {
        forms.push(words(&full));
    }
    forms
}

#[test]
fn every_command_of_the_readme_runs_as_written() {
    let commands = readme_commands();
    let names: Vec<&str> = commands.iter().filter_map(|command| command.split_whitespace().nth(1)).collect();
    for expected in ["predict", "explain", "train", "synth", "drift", "serve"] {
        assert!(names.contains(&expected), "the README shows `pad {expected}`: {commands:?}");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for command in &commands {
        let subcommand = command.split_whitespace().nth(1).unwrap_or_default();
        if subcommand == "serve" {
            continue; // Runs until stopped: tests/serve.rs starts it.
        }
        if subcommand == "models" || command.contains("models:/") || command.contains("--experiment") {
            continue; // Needs an MLflow server: tests/mlflow.rs starts one and runs these.
        }
        for args in forms(command) {
            // A fresh folder with the bundled files, where outputs land.
            let dir = tempfile::tempdir().unwrap();
            for folder in ["data", "assets"] {
                std::os::unix::fs::symlink(root.join(folder), dir.path().join(folder)).unwrap();
            }
            if subcommand == "train" {
                if cfg!(feature = "train") {
                    continue; // Minutes of LightGBM: tests/train.rs trains on small data.
                }
                let output =
                    Command::new(env!("CARGO_BIN_EXE_pad")).args(&args).current_dir(dir.path()).output().unwrap();
                let message = String::from_utf8_lossy(&output.stderr);
                assert!(
                    message.contains("rebuild with `cargo build --release --features train`"),
                    "{args:?}: {message}"
                );
                continue;
            }
            // The journal commands read a journal of their own, in the fresh folder.
            let data_home = dir.path().join("share");
            if subcommand == "journal" {
                seed_journal(&data_home);
            }
            let output = Command::new(env!("CARGO_BIN_EXE_pad"))
                .args(&args)
                .current_dir(dir.path())
                .env("XDG_DATA_HOME", &data_home)
                .output()
                .unwrap();
            let message = String::from_utf8_lossy(&output.stderr);
            // `pad drift` exits with 3 when something drifted.
            let fine = output.status.success()
                || (matches!(subcommand, "drift" | "fairness") && output.status.code() == Some(3));
            assert!(fine, "pad {}: {:?}: {message}", args.join(" "), output.status.code());
            assert!(!message.contains("error"), "pad {}: {message}", args.join(" "));
        }
    }
}

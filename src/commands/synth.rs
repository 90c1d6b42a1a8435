//! `pad synth`: writes a synthetic portfolio.

use anyhow::{Result, bail};

use crate::cli::SynthArgs;
use crate::data::synth::{SynthOptions, write};

pub(super) fn run(args: &SynthArgs) -> Result<()> {
    if args.rows == 0 {
        bail!("--rows must be at least 1");
    }
    if args.first_id < 0 || args.first_id.checked_add(args.rows as i64).is_none() {
        bail!("--first-id {} with {} rows does not give valid client ids", args.first_id, args.rows);
    }
    let options =
        SynthOptions { rows: args.rows, seed: args.seed, with_target: !args.no_target, first_id: args.first_id };
    let table = write(&options, &args.out)?;
    let default_rate = table
        .numeric("TARGET")
        .map(|targets| targets.iter().sum::<f64>() / targets.len().max(1) as f64)
        .map_or(String::new(), |rate| format!(", default rate {:.2} %", rate * 100.0));
    eprintln!("wrote {} clients{default_rate} to {}", table.n_rows(), args.out.display());
    Ok(())
}

//! `pad synth`: writes a synthetic portfolio.

use anyhow::{Result, bail};

use crate::cli::SynthArgs;
use crate::data::synth::{Shift, SynthOptions, write};

pub(super) fn run(args: &SynthArgs) -> Result<()> {
    if args.rows == 0 {
        bail!("--rows must be at least 1");
    }
    if args.first_id < 0 || args.first_id.checked_add(args.rows as i64).is_none() {
        bail!("--first-id {} with {} rows does not give valid client ids", args.first_id, args.rows);
    }
    if !(args.income_scale.is_finite() && args.income_scale > 0.0) {
        bail!("--income-scale must be a positive number, not {}", args.income_scale);
    }
    if !(0.0..=1.0).contains(&args.ext_source_1_missing) {
        bail!("--ext-source-1-missing must be a share between 0 and 1, not {}", args.ext_source_1_missing);
    }
    let shift = Shift { income_scale: args.income_scale, ext_source_1_missing: args.ext_source_1_missing };
    let options =
        SynthOptions { rows: args.rows, seed: args.seed, with_target: !args.no_target, first_id: args.first_id, shift };
    let table = write(&options, &args.out)?;
    let default_rate = table
        .numeric("TARGET")
        .map(|targets| targets.iter().sum::<f64>() / targets.len().max(1) as f64)
        .map_or(String::new(), |rate| format!(", default rate {:.2} %", rate * 100.0));
    eprintln!("wrote {} clients{default_rate} to {}", table.n_rows(), args.out.display());
    if let Some(folder) = &args.tables {
        let tables = crate::data::synth::write_history(&options, folder)?;
        eprintln!(
            "wrote their credit history to {}: {} bureau credits, {} bureau months, {} card months",
            folder.display(),
            tables.bureau.height(),
            tables.bureau_balance.height(),
            tables.credit_card_balance.height()
        );
    }
    Ok(())
}

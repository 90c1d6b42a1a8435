//! `pad journal`: verify, list, show, export and replay the decisions of a journal.

use std::io::Write;

use anyhow::{Context, Result, bail};

use super::evidence;
use crate::cli::SourceArgs;
use crate::cli::journal::{
    ChannelArg, DecisionArg, ExportFormat, FilterArgs, JournalArgs, JournalCommand, ListFormat, OutcomeArg, StateArg,
    UsersArgs, UsersCommand,
};
use crate::domain::Decision;
use crate::journal::{
    Channel, ContestDraft, DecisionEvent, Filter, Journal, Outcome, Page, Rescore, ReviewDraft, Role, StateFilter,
};
use crate::scoring::{LocalScorer, Scorer};

/// Exit code of `pad journal verify` when the chain is broken.
pub const EXIT_BROKEN: u8 = 1;

/// Events read per page while exporting.
const EXPORT_PAGE: usize = 10_000;

/// Runs a journal command; returns the exit code.
pub fn run(args: &JournalArgs) -> Result<u8> {
    if let JournalCommand::Keygen { name, out } = &args.command {
        return evidence::keygen(name, out).map(|()| 0);
    }
    let url = crate::config::journal_url(&args.journal)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start tokio")?;
    runtime.block_on(async {
        let journal = Journal::open(&url).await?;
        let code = match &args.command {
            JournalCommand::Verify { checkpoint: None, .. } => verify(&journal).await?,
            JournalCommand::Verify { checkpoint: Some(checkpoint), vkey } => {
                if evidence::verify_checkpoint(&journal, checkpoint, vkey).await? {
                    verify(&journal).await?
                } else {
                    EXIT_BROKEN
                }
            }
            JournalCommand::Keygen { .. } => 0,
            JournalCommand::Checkpoint { key, origin } => {
                evidence::checkpoint(&journal, key, origin.as_deref()).await.map(|()| 0)?
            }
            JournalCommand::Prove { id: Some(id), checkpoint: Some(checkpoint), .. } => {
                if evidence::prove_inclusion(&journal, *id, checkpoint).await? { 0 } else { EXIT_BROKEN }
            }
            JournalCommand::Prove { from: Some(from), to: Some(to), .. } => {
                if evidence::prove_consistency(&journal, from, to).await? { 0 } else { EXIT_BROKEN }
            }
            JournalCommand::Prove { .. } => {
                bail!("pad journal prove takes an event id with --checkpoint FILE, or --from FILE --to FILE")
            }
            JournalCommand::Cosign { checkpoint, vkey, key, state, out } => {
                let asked = evidence::Cosign {
                    checkpoint,
                    vkey,
                    key,
                    state: state.as_deref(),
                    out: out.as_deref(),
                };
                if evidence::cosign(&journal, &asked).await? { 0 } else { EXIT_BROKEN }
            }
            JournalCommand::List { filter, limit, format } => {
                list(&journal, filter, *limit, *format).await.map(|()| 0)?
            }
            JournalCommand::Show { id } => show(&journal, *id).await.map(|()| 0)?,
            JournalCommand::Export { filter, format, out } => {
                export(&journal, filter, *format, out.as_deref()).await.map(|()| 0)?
            }
            JournalCommand::Replay { id, model, recorded_model, history } => {
                let event = journal.get(*id).await?.ok_or(crate::journal::JournalError::NotFound(*id))?;
                let sources = ReplaySources {
                    model: model.clone(),
                    recorded_model: recorded_model.clone(),
                    history: history.clone(),
                };
                tokio::task::spawn_blocking(move || replay(&event, &sources)).await.context("replay")??;
                0
            }
            JournalCommand::Contest { id, statement, channel, by } => {
                let draft = ContestDraft {
                    decision_id: *id,
                    statement: statement.clone(),
                    channel: match channel {
                        ChannelArg::Branch => Channel::Branch,
                        ChannelArg::Phone => Channel::Phone,
                        ChannelArg::Email => Channel::Email,
                        ChannelArg::Letter => Channel::Letter,
                        ChannelArg::Online => Channel::Online,
                    },
                    by: who(by.as_deref())?,
                };
                let event = journal.contest(&draft).await?;
                let deadline = crate::journal::answer_deadline(event.content.recorded_at()).unwrap_or_default();
                println!(
                    "decision {id}: contest recorded as event {} ({}); to be answered by {deadline}",
                    event.id,
                    event.content.recorded_at()
                );
                0
            }
            JournalCommand::Review { id, outcome, justification, by, model, history } => {
                let case = journal.case(*id).await?;
                let rescored = match case.open_contest() {
                    None => None,
                    Some(_) => {
                        let event = case.decision.clone();
                        let (model, history) = (model.clone(), history.clone());
                        Some(tokio::task::spawn_blocking(move || rescore(&event, model, history)).await.context("rescore")??)
                    }
                };
                let draft = ReviewDraft {
                    decision_id: *id,
                    by: who(by.as_deref())?,
                    outcome: match outcome {
                        OutcomeArg::Upheld => Outcome::Upheld,
                        OutcomeArg::Overturned => Outcome::Overturned,
                    },
                    justification: justification.clone(),
                    corrections: Vec::new(),
                    rescored,
                };
                let event = journal.review(&draft).await?;
                let reviewed = journal.case(*id).await?;
                println!(
                    "decision {id}: review recorded as event {}: {}, the decision is now {}",
                    event.id,
                    draft.outcome.as_str(),
                    reviewed.final_decision()
                );
                0
            }
            JournalCommand::Case { id } => {
                let case = journal.case(*id).await?;
                let body = serde_json::json!({
                    "state": case.state().as_str(),
                    "final_decision": case.final_decision(),
                    "answer_by": case.open_contest().and_then(|(_, contest)| crate::journal::answer_deadline(&contest.recorded_at)),
                    "decision": case.decision,
                    "events": case.events,
                });
                println!("{}", serde_json::to_string_pretty(&body)?);
                0
            }
            JournalCommand::Contests { limit } => contests(&journal, *limit).await.map(|()| 0)?,
            JournalCommand::Purge { before, retention_days, by } => {
                let purged = journal.purge(before, *retention_days, &who(by.as_deref())?).await?;
                match &purged.event {
                    Some(event) => println!(
                        "purged {} events ({} decisions) recorded before {before}, and {} access-log entries; the \
                         purge is event {}, the chain goes on from there (pad journal verify)",
                        purged.removed_events, purged.removed_decisions, purged.removed_accesses, event.id
                    ),
                    None => println!(
                        "nothing recorded before {before} can be removed (none, or followed up later); {} access-log \
                         entries removed",
                        purged.removed_accesses
                    ),
                }
                0
            }
            JournalCommand::Access { user, limit } => {
                let entries = journal.accesses(user.as_deref(), *limit).await?;
                println!("{:>8}  {:<27}  {:<16}  {:<8}  action", "id", "at (UTC)", "user", "role");
                for entry in &entries {
                    println!("{:>8}  {:<27}  {:<16}  {:<8}  {}", entry.id, entry.at, entry.user, entry.role, entry.action);
                }
                if entries.is_empty() {
                    println!("(no read logged)");
                }
                0
            }
        };
        journal.close().await;
        Ok(code)
    })
}

/// Who records, from the command line: `--by`, `PAD_USER`, else the operating-system user.
fn who(by: Option<&str>) -> Result<String> {
    let name = by.map(str::to_string).or_else(crate::config::os_user).unwrap_or_default();
    if name.trim().is_empty() {
        bail!("say who records it: --by NAME (or set PAD_USER)");
    }
    Ok(name.trim().to_string())
}

/// The recorded inputs scored on the current model, for a review.
fn rescore(
    event: &DecisionEvent,
    model: Option<std::path::PathBuf>,
    history: Option<std::path::PathBuf>,
) -> Result<Rescore> {
    let args = SourceArgs { model, history, ..SourceArgs::default() };
    let scorer = LocalScorer::load(&crate::config::local_sources(&args)?)?;
    let explanation = scorer.explain_inputs(&event.content.input_values())?;
    Ok(Rescore {
        model_version: scorer.info().model_version.clone(),
        threshold: explanation.score.threshold,
        probability: explanation.score.probability,
        decision: explanation.score.decision,
        reasons: crate::journal::shown_reasons(&explanation.reasons, event.content.language),
    })
}

async fn contests(journal: &Journal, limit: usize) -> Result<()> {
    let cases = journal.open_contests(limit).await?;
    let now = journal.now();
    println!(
        "{:>8}  {:>9}  {:<12}  {:<8}  {:<10}  {:>8}  {:<10}  statement",
        "decision", "client", "decided by", "final", "contested", "age (d)", "answer by"
    );
    for case in &cases {
        let Some((_, contest)) = case.open_contest() else { continue };
        let age = crate::journal::days_between(&contest.recorded_at, &now).unwrap_or_default();
        let deadline = crate::journal::answer_deadline(&contest.recorded_at).unwrap_or_default();
        let late = if deadline.as_str() < now.get(..10).unwrap_or_default() { "  LATE" } else { "" };
        println!(
            "{:>8}  {:>9}  {:<12}  {:<8}  {:<10}  {:>8}  {:<10}  {}{late}",
            case.decision.id,
            case.decision.content.client_id,
            case.decision.content.rm,
            case.final_decision().as_str(),
            contest.recorded_at.get(..10).unwrap_or_default(),
            age,
            deadline,
            crate::domain::format::quote_external(&contest.statement, 60)
        );
    }
    if cases.is_empty() {
        println!("(no contest waits for a review)");
    }
    Ok(())
}

/// Runs `pad users`.
pub fn users(args: &UsersArgs) -> Result<()> {
    let url = crate::config::journal_url(&args.journal)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start tokio")?;
    runtime.block_on(async {
        let journal = Journal::open(&url).await?;
        match &args.command {
            UsersCommand::Add { name, role, valid_days } => {
                let (user, token) = journal.add_user(name, Role::parse(role)?, *valid_days).await?;
                println!(
                    "{} added as {} in {}; their token works until {}. It is shown once, here:",
                    user.name,
                    user.role,
                    journal.url(),
                    user.expires_at
                );
                println!("{token}");
            }
            UsersCommand::List => {
                let users = journal.users().await?;
                println!("{:<24}  {:<8}  {:<27}  {:<27}  revoked", "name", "role", "added (UTC)", "token expires");
                for user in &users {
                    println!(
                        "{:<24}  {:<8}  {:<27}  {:<27}  {}",
                        user.name,
                        user.role,
                        user.created_at,
                        user.expires_at,
                        user.revoked_at.as_deref().unwrap_or("-")
                    );
                }
                if users.is_empty() {
                    println!("(no user: pad users add NAME --role rm)");
                }
            }
            UsersCommand::Revoke { name } => {
                let user = journal.revoke_user(name).await?;
                println!(
                    "{} revoked on {}: their token is refused from the next request of every server",
                    user.name,
                    user.revoked_at.unwrap_or_default()
                );
            }
            UsersCommand::Token { name, valid_days } => {
                let (user, token) = journal.renew_token(name, *valid_days).await?;
                println!(
                    "{} has a new token, working until {}; the old one is refused. It is shown once, here:",
                    user.name, user.expires_at
                );
                println!("{token}");
            }
        }
        journal.close().await;
        Ok(())
    })
}

async fn verify(journal: &Journal) -> Result<u8> {
    let started = std::time::Instant::now();
    let verification = journal.verify().await?;
    let seconds = started.elapsed().as_secs_f64();
    match verification.broken {
        None => {
            println!("{}: the chain holds: {} verified in {seconds:.2} s", journal.url(), events(verification.events));
            if let Some(cut) = &verification.cut {
                println!(
                    "history before {} was purged: events 1 to {} removed, as purge event {} records; the chain is \
                     verified from event {}",
                    cut.before,
                    cut.after,
                    cut.purge_event,
                    cut.after + 1
                );
            }
            if let Some(problem) = &verification.users {
                println!("{}: the users do not match the journal's user changes: {problem}", journal.url());
                return Ok(EXIT_BROKEN);
            }
            Ok(0)
        }
        Some(broken) => {
            println!(
                "{}: the chain is broken at event {}: {} ({} verified before it)",
                journal.url(),
                broken.id,
                broken.problem,
                events(verification.events)
            );
            Ok(EXIT_BROKEN)
        }
    }
}

/// "1 event", "2 events".
fn events(count: u64) -> String {
    if count == 1 { "1 event".into() } else { format!("{count} events") }
}

fn filter_of(args: &FilterArgs) -> Filter {
    Filter {
        client_id: args.client,
        rm: args.rm.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        decision: args.decision.map(|decision| match decision {
            DecisionArg::Accepted => Decision::Accepted,
            DecisionArg::Refused => Decision::Refused,
        }),
        overridden: args.overridden,
        state: args.state.map(|state| match state {
            StateArg::Decided => StateFilter::Decided,
            StateArg::Contested => StateFilter::Contested,
            StateArg::Reviewed => StateFilter::Reviewed,
            StateArg::Upheld => StateFilter::Upheld,
            StateArg::Overturned => StateFilter::Overturned,
        }),
    }
}

async fn list(journal: &Journal, filter: &FilterArgs, limit: usize, format: ListFormat) -> Result<()> {
    let events = journal.list(&filter_of(filter), Page { after: None, limit, newest_first: false }).await?;
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &events)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            writeln!(
                out,
                "{:>6}  {:<27}  {:>9}  {:<12}  {:>11}  {:<8}  {:<8}  override",
                "id", "recorded (UTC)", "client", "rm", "probability", "model", "final"
            )?;
            for event in &events {
                let content = &event.content;
                let overridden = match &content.reason_code {
                    Some(code) if content.overridden => code.clone(),
                    _ => "-".into(),
                };
                writeln!(
                    out,
                    "{:>6}  {:<27}  {:>9}  {:<12}  {:>11.4}  {:<8}  {:<8}  {overridden}",
                    event.id,
                    content.recorded_at,
                    content.client_id,
                    content.rm,
                    content.probability,
                    content.model_decision.as_str(),
                    content.final_decision.as_str(),
                )?;
            }
            if events.is_empty() {
                writeln!(out, "(no decision matches)")?;
            }
        }
    }
    Ok(())
}

async fn show(journal: &Journal, id: i64) -> Result<()> {
    let event = journal.get(id).await?.ok_or(crate::journal::JournalError::NotFound(id))?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &event)?;
    writeln!(out)?;
    Ok(())
}

/// The columns of a CSV or Parquet export.
const EXPORT_COLUMNS: [&str; 24] = [
    "id",
    "recorded_at",
    "client_id",
    "rm",
    "model_version",
    "threshold",
    "probability",
    "model_decision",
    "final_decision",
    "overridden",
    "reason_code",
    "justification",
    "language",
    "origin",
    "export_file",
    "reasons",
    "counterfactual",
    "inputs_sha256",
    "content_hash",
    "columns_hash",
    "hash",
    "challenger_model_version",
    "challenger_probability",
    "challenger_decision",
];

/// One event as the text cells of a CSV or Parquet row (in [`EXPORT_COLUMNS`] order).
fn export_row(event: &DecisionEvent) -> Vec<Option<String>> {
    let content = &event.content;
    let language = serde_json::to_value(content.language).ok().and_then(|value| value.as_str().map(str::to_string));
    let origin = serde_json::to_value(content.origin).ok().and_then(|value| value.as_str().map(str::to_string));
    vec![
        Some(event.id.to_string()),
        Some(content.recorded_at.clone()),
        Some(content.client_id.to_string()),
        Some(content.rm.clone()),
        Some(content.model_version.clone()),
        Some(content.threshold.to_string()),
        Some(content.probability.to_string()),
        Some(content.model_decision.as_str().to_string()),
        Some(content.final_decision.as_str().to_string()),
        Some(content.overridden.to_string()),
        content.reason_code.clone(),
        content.justification.clone(),
        language,
        origin,
        content.export_file.clone(),
        serde_json::to_string(&content.reasons).ok(),
        content.counterfactual.clone(),
        Some(content.inputs_sha256.clone()),
        Some(event.content_hash.clone()),
        event.columns_hash.clone(),
        Some(event.hash.clone()),
        content.challenger.as_ref().map(|challenger| challenger.model_version.clone()),
        content.challenger.as_ref().map(|challenger| challenger.probability.to_string()),
        content.challenger.as_ref().map(|challenger| challenger.decision.as_str().to_string()),
    ]
}

async fn export(
    journal: &Journal,
    filter: &FilterArgs,
    format: ExportFormat,
    out: Option<&std::path::Path>,
) -> Result<()> {
    let filter = filter_of(filter);
    let mut events = Vec::new();
    let mut after = None;
    loop {
        let page = journal.list(&filter, Page { after, limit: EXPORT_PAGE, newest_first: false }).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        let full = page.len() == EXPORT_PAGE;
        events.extend(page);
        if !full {
            break;
        }
    }
    let bytes = match format {
        ExportFormat::Json => {
            let mut bytes = serde_json::to_vec(&events)?;
            bytes.push(b'\n');
            bytes
        }
        ExportFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(EXPORT_COLUMNS)?;
            for event in &events {
                writer.write_record(export_row(event).iter().map(|cell| cell.as_deref().unwrap_or("")))?;
            }
            writer.into_inner().map_err(|error| anyhow::anyhow!("cannot write the CSV: {error}"))?
        }
        ExportFormat::Parquet => {
            let Some(out) = out else { bail!("a Parquet export needs --out FILE.parquet") };
            return write_parquet(&events, out);
        }
    };
    match out {
        Some(path) => {
            crate::files::write_atomically(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?
        }
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(())
}

/// Writes the exported events to `out` as Parquet, ids and numbers typed.
fn write_parquet(events: &[DecisionEvent], out: &std::path::Path) -> Result<()> {
    use crate::data::parquet::{ColumnType, write_text_rows};
    let rows: Vec<Vec<Option<String>>> = events.iter().map(export_row).collect();
    let columns: Vec<(&str, ColumnType)> = EXPORT_COLUMNS
        .iter()
        .map(|name| {
            let kind = match *name {
                "id" | "client_id" => ColumnType::Integer,
                "threshold" | "probability" => ColumnType::Float,
                "overridden" => ColumnType::Boolean,
                _ => ColumnType::Text,
            };
            (*name, kind)
        })
        .collect();
    write_text_rows(&columns, &rows, out)?;
    Ok(())
}

/// The model files a replay scores with.
struct ReplaySources {
    model: Option<std::path::PathBuf>,
    recorded_model: Option<std::path::PathBuf>,
    history: Option<std::path::PathBuf>,
}

/// Scores the recorded inputs with the recorded model (when given) and the current one.
fn replay(event: &DecisionEvent, sources: &ReplaySources) -> Result<()> {
    let content = &event.content;
    let inputs = content.input_values();
    println!(
        "decision {}: client {}, recorded {} by {}: probability {} ({} at threshold {}), model {}, final {}",
        event.id,
        content.client_id,
        content.recorded_at,
        content.rm,
        content.probability,
        content.model_decision,
        content.threshold,
        content.model_version,
        content.final_decision
    );
    let inputs_hash =
        crate::journal::sha256_hex(serde_json::Value::Object(content.inputs.clone()).to_string().as_bytes());
    if inputs_hash != content.inputs_sha256 {
        bail!("decision {}: the recorded inputs do not match their SHA-256; run pad journal verify", event.id);
    }
    let score = |model: Option<std::path::PathBuf>| -> Result<(String, f64, Decision, f64)> {
        let args = SourceArgs { model, history: sources.history.clone(), ..SourceArgs::default() };
        let scorer = LocalScorer::load(&crate::config::local_sources(&args)?)?;
        let score = scorer.predict_inputs(&inputs)?;
        Ok((scorer.info().model_version.clone(), score.probability, score.decision, score.threshold))
    };
    let mut same_everywhere = true;
    if let Some(recorded_model) = &sources.recorded_model {
        let (version, probability, _, _) = score(Some(recorded_model.clone()))?;
        if version != content.model_version {
            bail!(
                "{} is model version {version}, not the recorded {}: give the model file the decision was made with",
                recorded_model.display(),
                content.model_version
            );
        }
        let threshold = crate::domain::Threshold::new(content.threshold).unwrap_or(crate::domain::Threshold::DEFAULT);
        let decision = Decision::from_probability(probability, threshold);
        let same = probability.to_bits() == content.probability.to_bits() && decision == content.model_decision;
        same_everywhere &= same;
        println!(
            "recorded model {version}: probability {probability} ({decision}): {}",
            if same { "the same, bit for bit" } else { "DIFFERENT from the record" }
        );
    } else {
        println!("recorded model {}: not given (--recorded-model FILE to replay with it)", content.model_version);
    }
    let (version, probability, decision, threshold) = score(sources.model.clone())?;
    let same_model = version == content.model_version;
    let same = probability.to_bits() == content.probability.to_bits() && decision == content.model_decision;
    println!(
        "current model {version}: probability {probability} ({decision} at threshold {threshold}): {}",
        match (same, same_model) {
            (true, true) => "the same model, the same probability and decision, bit for bit".to_string(),
            (false, true) => {
                same_everywhere = false;
                "the same model, but a DIFFERENT result".to_string()
            }
            (_, false) => format!(
                "another model; probability {} by {:+.6} points, decision {}",
                if probability == content.probability { "unchanged" } else { "changed" },
                100.0 * (probability - content.probability),
                if decision == content.model_decision { "unchanged" } else { "CHANGED" }
            ),
        }
    );
    if !same_everywhere {
        bail!("decision {}: replaying the recorded model does not give the recorded result", event.id);
    }
    Ok(())
}

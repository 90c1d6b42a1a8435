//! Users, contests, second reviews, retention and the access log of the decision journal,
//! the same suite on both backends (SQLite in a temporary folder, a real PostgreSQL 15
//! started by the tests).

#[macro_use]
#[path = "common/postgres.rs"]
mod postgres;

use pad::domain::format::Language;
use pad::domain::{Decision, InputValue};
use pad::journal::{
    CaseState, Channel, ContestDraft, Correction, DecisionDraft, Journal, JournalError, JournalUrl, Origin, Outcome,
    ReviewDraft, RmDecision, Role, SignedIn, TokenRefused,
};

both!(
    contests_and_reviews_follow_the_state_machine,
    a_purge_removes_old_whole_decisions_and_verify_goes_on_from_the_cut,
    users_sign_in_with_their_token_until_revoked_or_expired,
    reads_are_logged_and_listed_newest_first,
);

async fn open(url: &str) -> Journal {
    Journal::open(&JournalUrl::parse(url).unwrap()).await.unwrap_or_else(|error| panic!("{url}: {error}"))
}

/// A refusal proposed by the model, recorded as proposed by `rm`.
fn draft(client_id: i64, rm: &str) -> DecisionDraft {
    DecisionDraft {
        rm: RmDecision {
            client_id,
            decision: None,
            reason_code: None,
            justification: None,
            language: Language::En,
            rm: rm.into(),
            export_file: None,
        },
        inputs: vec![("AMT_INCOME_TOTAL".into(), InputValue::Number(90_000.0))],
        model_version: "sha256-a44122dc59e9".into(),
        threshold: 0.08,
        probability: 0.2,
        model_decision: Decision::Refused,
        reasons: Vec::new(),
        counterfactual: None,
        origin: Origin::Local,
        challenger: None,
    }
}

fn contest(decision_id: i64) -> ContestDraft {
    ContestDraft {
        decision_id,
        statement: "My income doubled last month; here is my new contract.".into(),
        channel: Channel::Branch,
        by: "ana".into(),
    }
}

fn review(decision_id: i64, by: &str, outcome: Outcome) -> ReviewDraft {
    ReviewDraft {
        decision_id,
        by: by.into(),
        outcome,
        justification: "The payslips show the income the application lacked.".into(),
        corrections: Vec::new(),
        rescored: None,
    }
}

fn conflict(error: JournalError) -> String {
    match error {
        JournalError::Conflict(message) => message,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// The UTC time of a date at 09:00.
fn at(date: &str) -> time::OffsetDateTime {
    let (year, rest) = date.split_once('-').unwrap();
    let (month, day) = rest.split_once('-').unwrap();
    let month = time::Month::try_from(month.parse::<u8>().unwrap()).unwrap();
    time::Date::from_calendar_date(year.parse().unwrap(), month, day.parse().unwrap())
        .unwrap()
        .with_hms(9, 0, 0)
        .unwrap()
        .assume_utc()
}

async fn contests_and_reviews_follow_the_state_machine(url: &str) {
    let journal = open(url).await;
    let decided = journal.record(&draft(400001, "ana"), None).await.unwrap().event;
    assert_eq!(journal.case(decided.id).await.unwrap().state(), CaseState::Decided);
    // No review without a contest.
    let message = conflict(journal.review(&review(decided.id, "rita", Outcome::Upheld)).await.unwrap_err());
    assert!(message.contains("not contested"), "{message}");
    // A contest of an unknown decision.
    assert_eq!(journal.contest(&contest(99)).await.unwrap_err(), JournalError::NotFound(99));
    let mut empty = contest(decided.id);
    empty.statement = "  ".into();
    assert!(
        matches!(journal.contest(&empty).await.unwrap_err(), JournalError::Invalid { field, .. } if field == "statement")
    );
    let contested = journal.contest(&contest(decided.id)).await.unwrap();
    assert_eq!(contested.id, decided.id + 1, "a contest is the next event of the one chain");
    assert_eq!(contested.prev_hash, decided.hash);
    assert_eq!(journal.case(decided.id).await.unwrap().state(), CaseState::Contested);
    let message = conflict(journal.contest(&contest(decided.id)).await.unwrap_err());
    assert!(message.contains("already has an open contest"), "{message}");
    let queue = journal.open_contests(10).await.unwrap();
    assert_eq!(queue.iter().map(|case| case.decision.id).collect::<Vec<_>>(), vec![decided.id]);
    // The decider cannot review their own decision.
    let message = conflict(journal.review(&review(decided.id, "ana", Outcome::Upheld)).await.unwrap_err());
    assert!(message.contains("reviewed by someone else"), "{message}");
    // Nor under their name in another case or in full-width letters.
    for same in ["ANA", "\u{ff41}\u{ff4e}\u{ff41}"] {
        let message = conflict(journal.review(&review(decided.id, same, Outcome::Upheld)).await.unwrap_err());
        assert!(message.contains("reviewed by someone else"), "{same}: {message}");
    }
    let mut short = review(decided.id, "rita", Outcome::Upheld);
    short.justification = "ok".into();
    assert!(
        matches!(journal.review(&short).await.unwrap_err(), JournalError::Invalid { field, .. } if field == "justification")
    );
    let mut unknown_field = review(decided.id, "rita", Outcome::Overturned);
    unknown_field.corrections = vec![Correction {
        field: "SALARY".into(),
        recorded: serde_json::json!(1),
        corrected: serde_json::json!(2),
        source: "payslip".into(),
    }];
    assert!(journal.review(&unknown_field).await.is_err(), "a correction names a recorded input");
    let mut overturned = review(decided.id, "rita", Outcome::Overturned);
    overturned.corrections = vec![Correction {
        field: "AMT_INCOME_TOTAL".into(),
        recorded: serde_json::json!(90_000.0),
        corrected: serde_json::json!(180_000.0),
        source: "payslips of October and November 2026".into(),
    }];
    let reviewed = journal.review(&overturned).await.unwrap();
    let case = journal.case(decided.id).await.unwrap();
    assert_eq!(case.state(), CaseState::Overturned);
    // The model refused and the RM kept it: overturned, the customer is accepted.
    assert_eq!(case.final_decision(), Decision::Accepted);
    assert_eq!(case.events.iter().map(|event| event.id).collect::<Vec<_>>(), vec![contested.id, reviewed.id]);
    // No second review of the same contest.
    let message = conflict(journal.review(&review(decided.id, "rex", Outcome::Upheld)).await.unwrap_err());
    assert!(message.contains("already reviewed"), "{message}");
    assert!(journal.open_contests(10).await.unwrap().is_empty());
    let verification = journal.verify().await.unwrap();
    assert_eq!((verification.events, verification.broken), (3, None));
}

async fn a_purge_removes_old_whole_decisions_and_verify_goes_on_from_the_cut(url: &str) {
    let journal = open(url).await;
    journal.set_clock(Some(at("2026-01-10")));
    let first = journal.record(&draft(400001, "ana"), None).await.unwrap().event; // 1
    journal.record(&draft(400002, "ana"), None).await.unwrap(); // 2
    journal.contest(&contest(first.id)).await.unwrap(); // 3
    journal.set_clock(Some(at("2026-01-20")));
    let closing = journal.review(&review(first.id, "rita", Outcome::Upheld)).await.unwrap(); // 4
    journal.set_clock(Some(at("2026-03-01")));
    let kept = journal.record(&draft(400003, "ana"), None).await.unwrap().event; // 5
    journal.contest(&contest(kept.id)).await.unwrap(); // 6
    journal.set_clock(Some(at("2026-12-02")));
    // 2026-12-02 less 190 days is 2026-05-26: later dates are refused, and so is the future.
    let too_late = journal.purge("2026-06-01", 190, "admin").await.unwrap_err().to_string();
    assert!(too_late.contains("2026-05-26"), "{too_late}");
    assert!(journal.purge("2027-01-01", 190, "admin").await.unwrap_err().to_string().contains("future"));
    // Decision 5's contest is open: nothing is removed.
    let message = conflict(journal.purge("2026-05-01", 190, "admin").await.unwrap_err());
    assert!(message.contains("decision 5 has an open contest"), "{message}");
    assert_eq!(journal.verify().await.unwrap().events, 6);
    // Reviewed today, decision 5 is followed up after the date: it stays whole, and the cut
    // falls before it (events 1 to 4 go: decisions 1 and 2, the contest and review of 1).
    journal.review(&review(kept.id, "rita", Outcome::Upheld)).await.unwrap(); // 7
    let purged = journal.purge("2026-05-01", 190, "admin").await.unwrap();
    assert_eq!((purged.removed_events, purged.removed_decisions), (4, 2));
    let event = purged.event.unwrap();
    assert_eq!(event.id, 8);
    let pad::journal::CaseContent::Purge(purge) = &event.content else { panic!("{event:?}") };
    assert_eq!((purge.last_removed_id, purge.last_removed_hash.as_str()), (4, closing.hash.as_str()));
    assert!(journal.case(first.id).await.is_err());
    assert_eq!(journal.case(kept.id).await.unwrap().state(), CaseState::Upheld);
    let verification = journal.verify().await.unwrap();
    assert_eq!(verification.broken, None);
    assert_eq!(verification.events, 4, "events 5 to 8");
    assert_eq!(verification.cut.as_ref().map(|cut| (cut.after, cut.purge_event)), Some((4, 8)));
    // Nothing more is old enough.
    assert_eq!(journal.purge("2026-05-01", 190, "admin").await.unwrap().event, None);
    // Deleting is still refused outside a purge.
    let refused = {
        use sqlx::Connection;
        if url.starts_with("sqlite://") {
            let mut connection = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query("DELETE FROM case_events WHERE id = 6").execute(&mut connection).await.unwrap_err()
        } else {
            let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query("DELETE FROM case_events WHERE id = 6").execute(&mut connection).await.unwrap_err()
        }
    };
    assert!(refused.to_string().contains("append-only"), "{refused}");
    // A row changed behind pad's back after the purge is still caught.
    if url.starts_with("sqlite://") {
        postgres::sql(url, "DROP TRIGGER decisions_no_update; DROP TRIGGER case_events_no_update;").await;
    } else {
        postgres::sql(
            url,
            "DROP TRIGGER decisions_no_update ON decisions; DROP TRIGGER case_events_no_update ON case_events;",
        )
        .await;
    }
    postgres::sql(url, "UPDATE case_events SET content = replace(content, '\"removed_events\":4', '\"removed_events\":3') WHERE id = 8")
        .await;
    let broken = journal.verify().await.unwrap().broken.unwrap();
    assert_eq!(broken.id, 8);
    assert!(broken.problem.contains("content hash"), "{}", broken.problem);
    postgres::sql(url, "UPDATE case_events SET content = replace(content, '\"removed_events\":3', '\"removed_events\":4') WHERE id = 8")
        .await;
    assert_eq!(journal.verify().await.unwrap().broken, None);
    postgres::sql(url, "UPDATE decisions SET rm = 'bob' WHERE id = 5").await;
    let broken = journal.verify().await.unwrap().broken.unwrap();
    assert_eq!(broken.id, 5);
    assert!(broken.problem.contains("column rm"), "{}", broken.problem);
}

async fn users_sign_in_with_their_token_until_revoked_or_expired(url: &str) {
    let journal = open(url).await;
    assert!(!journal.has_users().await.unwrap());
    let (ana, token) = journal.add_user("ana", Role::Rm, 365).await.unwrap();
    assert_eq!((ana.name.as_str(), ana.role), ("ana", Role::Rm));
    assert_eq!(token.len(), 64);
    assert!(journal.has_users().await.unwrap());
    assert_eq!(journal.authenticate(&token).await.unwrap(), Ok(SignedIn { name: "ana".into(), role: Role::Rm }));
    // The database keeps the token's SHA-256, never the token.
    let stored = {
        use sqlx::Connection;
        let sql = "SELECT name || role || token_hash || created_at || expires_at FROM users";
        if url.starts_with("sqlite://") {
            let mut connection = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query_scalar::<_, String>(sql).fetch_one(&mut connection).await.unwrap()
        } else {
            let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar::<_, String>(sql).fetch_one(&mut connection).await.unwrap()
        }
    };
    assert!(!stored.contains(&token));
    assert!(stored.contains(&pad::journal::sha256_hex(token.as_bytes())));
    assert!(conflict(journal.add_user("ana", Role::Admin, 365).await.unwrap_err()).contains("exists already"));
    assert!(matches!(journal.add_user(" ", Role::Rm, 365).await.unwrap_err(), JournalError::Invalid { .. }));
    assert_eq!(journal.authenticate("s3cret").await.unwrap(), Err(TokenRefused::Malformed(6)));
    assert_eq!(journal.authenticate(&"ab".repeat(32)).await.unwrap(), Err(TokenRefused::Unknown));
    // A second server on the same database sees the revocation at once.
    let other_server = open(url).await;
    journal.revoke_user("ana").await.unwrap();
    assert!(
        matches!(other_server.authenticate(&token).await.unwrap(), Err(TokenRefused::Revoked { name, .. }) if name == "ana")
    );
    assert!(conflict(journal.revoke_user("ana").await.unwrap_err()).contains("already revoked"));
    assert_eq!(journal.revoke_user("zoe").await.unwrap_err(), JournalError::UnknownUser("zoe".into()));
    assert!(journal.renew_token("ana", 30).await.is_err(), "a revoked user gets no new token");
    // Tokens expire; a new one replaces the old.
    let (_, old) = journal.add_user("rita", Role::Reviewer, 30).await.unwrap();
    journal.set_clock(Some(time::OffsetDateTime::now_utc() + time::Duration::days(31)));
    assert!(matches!(journal.authenticate(&old).await.unwrap(), Err(TokenRefused::Expired { .. })));
    let (_, new) = journal.renew_token("rita", 30).await.unwrap();
    assert_eq!(journal.authenticate(&new).await.unwrap().map(|user| user.role), Ok(Role::Reviewer));
    assert_eq!(journal.authenticate(&old).await.unwrap(), Err(TokenRefused::Unknown));
    let names: Vec<(String, bool)> =
        journal.users().await.unwrap().into_iter().map(|user| (user.name, user.revoked_at.is_some())).collect();
    assert_eq!(names, vec![("ana".into(), true), ("rita".into(), false)]);
}

async fn reads_are_logged_and_listed_newest_first(url: &str) {
    let journal = open(url).await;
    let ana = SignedIn { name: "ana".into(), role: Role::Rm };
    let audrey = SignedIn { name: "audrey".into(), role: Role::Auditor };
    journal.log_access(&ana, "GET /clients/400001", Some(400001), None).await.unwrap();
    journal.log_access(&audrey, "GET /decisions/3", None, Some(3)).await.unwrap();
    let all = journal.accesses(None, 10).await.unwrap();
    assert_eq!(all.iter().map(|access| access.user.as_str()).collect::<Vec<_>>(), vec!["audrey", "ana"]);
    assert_eq!((all[1].action.as_str(), all[1].client_id), ("GET /clients/400001", Some(400001)));
    let anas = journal.accesses(Some("ana"), 10).await.unwrap();
    assert_eq!(anas.len(), 1);
    assert_eq!(anas[0].role, "rm");
}

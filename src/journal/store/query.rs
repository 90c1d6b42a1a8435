//! Reading events back: one event by id, and listings by filter and page, with their SQL
//! built here (every value bound, never spliced).
//!
//! Uses: domain, the journal's filters and errors, and the store's rows and bound values.

use super::super::record::DecisionEvent;
use super::super::text::{TextKind, check_chars};
use super::super::{Filter, JournalError, Page, StateFilter};
use super::rows::{EVENT_COLUMNS, StoredRow};
use super::{Bind, Journal, Pool};

impl Journal {
    /// The rows a query with these values returns.
    pub(super) async fn rows(&self, sql: &str, binds: &[Bind]) -> Result<Vec<StoredRow>, JournalError> {
        on_pool!(&self.pool, pool => {
            match bind_all!(sqlx::query(sql), binds).fetch_all(pool).await {
                Ok(rows) => rows.iter().map(StoredRow::read).collect::<Result<Vec<_>, _>>(),
                Err(error) => Err(error),
            }
        })
        .map_err(|error| self.failed(error))
    }

    /// The event with this id.
    pub async fn get(&self, id: i64) -> Result<Option<DecisionEvent>, JournalError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM decisions WHERE id = $1");
        let rows = self.rows(&sql, &[Bind::Int(id)]).await?;
        rows.into_iter().next().map(StoredRow::event).transpose()
    }

    /// The events that pass `filter`, a page at a time.
    pub async fn list(&self, filter: &Filter, page: Page) -> Result<Vec<DecisionEvent>, JournalError> {
        let (sql, binds) = listing_sql(filter, page)?;
        self.rows(&sql, &binds).await?.into_iter().map(StoredRow::event).collect()
    }
}

/// The SQL of a listing and its values, `$1`, `$2`... in order.
fn listing_sql(filter: &Filter, page: Page) -> Result<(String, Vec<Bind>), JournalError> {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds = Vec::new();
    let mut condition = |column: &str, operator: &str, bind: Bind| {
        binds.push(bind);
        conditions.push(format!("{column} {operator} ${}", binds.len()));
    };
    if let Some(client_id) = filter.client_id {
        condition("client_id", "=", Bind::Int(client_id));
    }
    if let Some(rm) = &filter.rm {
        check_chars("rm", rm, TextKind::Line)?;
        condition("rm", "=", Bind::Text(rm.clone()));
    }
    if let Some(from) = &filter.from {
        condition("recorded_at", ">=", Bind::Text(time_bound(from, "from")?));
    }
    if let Some(to) = &filter.to {
        let bound = time_bound(to, "to")?;
        // A date alone runs to the end of that day: "2026-12-01T9" sorts after every time of it.
        let bound = if bound.len() == 10 { format!("{bound}T9") } else { bound };
        condition("recorded_at", "<", Bind::Text(bound));
    }
    if let Some(decision) = filter.decision {
        condition("final_decision", "=", Bind::Text(decision.as_str().to_string()));
    }
    if let Some(overridden) = filter.overridden {
        condition("overridden", "=", Bind::Int(i64::from(overridden)));
    }
    if let Some(after) = page.after {
        condition("id", if page.newest_first { "<" } else { ">" }, Bind::Int(after));
    }
    if let Some(state) = filter.state {
        conditions.push(state_condition(state));
    }
    let limit = i64::try_from(page.limit).unwrap_or(i64::MAX);
    binds.push(Bind::Int(limit));
    let mut sql = format!("SELECT {EVENT_COLUMNS} FROM decisions");
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    let order = if page.newest_first { "DESC" } else { "ASC" };
    sql.push_str(&format!(" ORDER BY id {order} LIMIT ${}", binds.len()));
    Ok((sql, binds))
}

/// The SQL condition on `decisions` of a state (no value bound).
fn state_condition(state: StateFilter) -> String {
    let open = "EXISTS (SELECT 1 FROM case_events c WHERE c.decision_id = decisions.id AND c.kind = 'contest' \
                AND NOT EXISTS (SELECT 1 FROM case_events r WHERE r.kind = 'review' AND r.contest_id = c.id))";
    let last_review = "(SELECT r.outcome FROM case_events r WHERE r.decision_id = decisions.id AND r.kind = 'review' \
                       ORDER BY r.id DESC LIMIT 1)";
    match state {
        StateFilter::Decided => "NOT EXISTS (SELECT 1 FROM case_events c WHERE c.decision_id = decisions.id)".into(),
        StateFilter::Contested => open.into(),
        StateFilter::Reviewed => format!("NOT {open} AND {last_review} IS NOT NULL"),
        StateFilter::Upheld => format!("NOT {open} AND {last_review} = 'upheld'"),
        StateFilter::Overturned => format!("NOT {open} AND {last_review} = 'overturned'"),
    }
}

/// A date (`2026-12-01`) or UTC time (`2026-12-01T10:00`, `…:00`, `…:00.5`, with or without
/// `Z`) as a prefix comparable with the stored times.
fn time_bound(text: &str, field: &str) -> Result<String, JournalError> {
    let trimmed = text.trim().trim_end_matches('Z');
    let pattern = "dddd-dd-ddTdd:dd:dd";
    let fits = trimmed.len() >= 10
        && trimmed.chars().zip(pattern.chars()).all(|(character, expected)| match expected {
            'd' => character.is_ascii_digit(),
            other => character == other,
        })
        && (trimmed.len() == 10 || trimmed.len() >= 16)
        && trimmed.chars().skip(pattern.len()).all(|character| character.is_ascii_digit() || character == '.');
    if fits {
        Ok(trimmed.to_string())
    } else {
        Err(JournalError::Invalid {
            field: field.to_string(),
            message: format!(
                "`{}` is not a UTC date or time: write 2026-12-01 or 2026-12-01T10:00:00Z",
                crate::domain::format::quote_external(text, 60)
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::{Filter, Page};
    use super::{Bind, listing_sql, time_bound};

    #[test]
    fn listings_bind_every_condition_in_order() {
        let filter = Filter {
            client_id: Some(7),
            rm: Some("ana".into()),
            to: Some("2026-12-01".into()),
            overridden: Some(true),
            ..Filter::default()
        };
        let (sql, binds) = listing_sql(&filter, Page { after: Some(40), limit: 10, newest_first: true }).unwrap();
        assert!(sql.ends_with(
            "WHERE client_id = $1 AND rm = $2 AND recorded_at < $3 AND overridden = $4 AND id < $5 ORDER BY id DESC LIMIT $6"
        ));
        assert_eq!(binds[2], Bind::Text("2026-12-01T9".into()));
        assert_eq!(binds[5], Bind::Int(10));
    }

    #[test]
    fn time_bounds_take_dates_and_times_only() {
        assert_eq!(time_bound("2026-12-01", "from").unwrap(), "2026-12-01");
        assert_eq!(time_bound("2026-12-01T10:00:00Z", "from").unwrap(), "2026-12-01T10:00:00");
        assert!(time_bound("yesterday", "from").is_err());
        assert!(time_bound("2026-12-01T1", "from").is_err());
        assert!(time_bound("2026-12-01'; DROP TABLE decisions", "from").is_err());
        // Stored times sort between the bounds of their day.
        let stored = "2026-12-01T23:59:59.999999Z";
        assert!(("2026-12-01".."2026-12-01T9").contains(&stored));
    }
}

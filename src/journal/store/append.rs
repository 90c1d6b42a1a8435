//! Appending: the journal's writer, which writes the appends waiting in one transaction
//! (group commit) on either backend, and writes a refused group again one append at a time.
//!
//! Uses: the journal's records and errors, and the store's pool, handle and bound values.

use std::collections::HashMap;

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use super::super::JournalError;
use super::super::record::{Content, DecisionColumns, DecisionDraft, DecisionEvent, decision_hash, sha256_hex};
use super::{Bind, Journal, Pool, Recorded, refused_by_database, root_cause};

/// The most appends written in one transaction (17 values each: well under either backend's
/// limit of bound values per statement).
const MAX_APPEND_BATCH: usize = 256;

impl Journal {
    /// Checks `draft`, stamps the time, and appends it as the next event; returns once
    /// committed. With an idempotency key (`key`, `request_hash` the SHA-256 of the request), a
    /// key already used for the same request returns that event without writing, and for
    /// another request is [`JournalError::IdempotencyConflict`].
    ///
    /// Appends made while another is being written wait for it and are then written together,
    /// in one transaction (group commit): one lock of the chain's head and one commit for all
    /// of them, each answered once that commit is done. When the database refuses such a
    /// transaction (nothing of it was recorded), its appends are written again one by one, each
    /// in a transaction of its own: one append the database cannot take (a NUL in a text, which
    /// PostgreSQL refuses) fails alone, and the others are recorded and answered as usual. When
    /// the database cannot be reached, or its answer is lost, every append of the transaction
    /// fails (a commit whose outcome is unknown is never written twice).
    pub async fn record(&self, draft: &DecisionDraft, key: Option<(&str, &str)>) -> Result<Recorded, JournalError> {
        let content = Content::check(draft, self.now(), &self.reasons)?;
        let text = content.canonical()?;
        let content_hash = sha256_hex(text.as_bytes());
        let columns_hash = DecisionColumns::of(&content).hash();
        let (reply, answer) = tokio::sync::oneshot::channel();
        let pending = PendingAppend {
            content,
            text,
            content_hash,
            columns_hash,
            key: key.map(|(key, request)| (key.to_string(), request.to_string())),
            reply,
        };
        let start_writer = {
            let mut queue = self.appends.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            queue.pending.push(pending);
            !std::mem::replace(&mut queue.writing, true)
        };
        if start_writer {
            // The writer runs as its own task, so that a caller that goes away (a client that
            // hangs up) cannot cut a transaction that other appends wait on.
            tokio::spawn(self.clone().write_appends());
        }
        let (appended, content) = answer.await.map_err(|_| writer_stopped())??;
        match appended {
            Appended::Replayed { id, request_hash } => {
                if request_hash.as_deref() != key.map(|(_, request)| request) {
                    return Err(JournalError::IdempotencyConflict);
                }
                let event = self.get(id).await?.ok_or(JournalError::NotFound(id))?;
                Ok(Recorded { event, replayed: true })
            }
            Appended::New { id, content_hash, columns_hash, prev_hash, hash } => Ok(Recorded {
                event: DecisionEvent { id, content, content_hash, columns_hash: Some(columns_hash), prev_hash, hash },
                replayed: false,
            }),
        }
    }

    /// Writes the appends waiting, a batch per transaction, until none is left.
    async fn write_appends(self) {
        let mut writing = Writing { appends: &self.appends, done: false };
        loop {
            let batch: Vec<PendingAppend> = {
                let mut queue = self.appends.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if queue.pending.is_empty() {
                    queue.writing = false;
                    writing.done = true;
                    return;
                }
                let taken = queue.pending.len().min(MAX_APPEND_BATCH);
                queue.pending.drain(..taken).collect()
            };
            let outcome = append_batch(&self.pool, &batch).await;
            match outcome {
                Ok(appended) => {
                    for (pending, appended) in batch.into_iter().zip(appended) {
                        let _ = pending.reply.send(Ok((appended, pending.content)));
                    }
                }
                Err(error) if batch.len() > 1 && refused_by_database(&error) => {
                    tracing::warn!(
                        appends = batch.len(),
                        cause = %root_cause(&error),
                        "the database refused a group commit; writing its appends one by one"
                    );
                    for pending in batch {
                        let alone = append_batch(&self.pool, std::slice::from_ref(&pending)).await;
                        let answer = match alone {
                            Ok(mut appended) => match appended.pop() {
                                Some(appended) => Ok((appended, pending.content)),
                                None => Err(writer_stopped()),
                            },
                            Err(error) => Err(self.failed(error)),
                        };
                        let _ = pending.reply.send(answer);
                    }
                }
                Err(error) => {
                    let error = self.failed(error);
                    for pending in batch {
                        let _ = pending.reply.send(Err(error.clone()));
                    }
                }
            }
        }
    }
}

/// The values of an event both backends store, in their column order: `recorded_at` to
/// `content_hash`.
fn content_binds(content: &Content, text: &str, content_hash: &str) -> [Bind; 11] {
    [
        Bind::Text(content.recorded_at.clone()),
        Bind::Int(content.client_id),
        Bind::Text(content.rm.clone()),
        Bind::Text(content.final_decision.as_str().to_string()),
        Bind::Text(content.model_decision.as_str().to_string()),
        Bind::Int(i64::from(content.overridden)),
        Bind::MaybeText(content.reason_code.clone()),
        Bind::Float(content.probability),
        Bind::Text(content.model_version.clone()),
        Bind::Text(text.to_string()),
        Bind::Text(content_hash.to_string()),
    ]
}

/// An append waiting for the journal's writer.
struct PendingAppend {
    content: Content,
    text: String,
    content_hash: String,
    /// [`DecisionColumns::hash`] of the content's columns.
    columns_hash: String,
    /// The idempotency key and the request's hash.
    key: Option<(String, String)>,
    reply: tokio::sync::oneshot::Sender<Result<(Appended, Content), JournalError>>,
}

/// The appends waiting, and whether a writer is writing them.
#[derive(Default)]
pub(super) struct AppendQueue {
    pending: Vec<PendingAppend>,
    writing: bool,
}

/// What became of one append.
#[derive(Debug)]
enum Appended {
    /// Recorded as a new event.
    New { id: i64, content_hash: String, columns_hash: String, prev_hash: String, hash: String },
    /// Its idempotency key had recorded event `id`, for the request of this hash.
    Replayed { id: i64, request_hash: Option<String> },
}

/// Held by the writer while it writes: a writer that ends otherwise than by emptying the
/// queue (its task dropped with the runtime, or a panic) fails the appends still waiting and
/// lets the next append start a writer, rather than leaving them waiting for ever.
struct Writing<'a> {
    appends: &'a std::sync::Mutex<AppendQueue>,
    done: bool,
}

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut queue = self.appends.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        queue.writing = false;
        for pending in queue.pending.drain(..) {
            let _ = pending.reply.send(Err(writer_stopped()));
        }
    }
}

fn writer_stopped() -> JournalError {
    JournalError::Database("the journal's writer stopped before recording the decision; nothing was recorded".into())
}

/// Appends `batch` on either backend; one answer per append, in order.
async fn append_batch(pool: &Pool, batch: &[PendingAppend]) -> Result<Vec<Appended>, sqlx::Error> {
    match pool {
        Pool::Sqlite(pool) => append_batch_sqlite(pool, batch).await,
        Pool::Postgres(pool) => append_batch_postgres(pool, batch).await,
    }
}

/// SQLite: one transaction that takes the database's write lock at its start (`BEGIN
/// IMMEDIATE`, waiting for another writer up to the busy timeout): reads the head, looks up the
/// batch's idempotency keys, inserts the new events chained one after the other, moves the head
/// and commits. A key used twice in the batch records once.
async fn append_batch_sqlite(pool: &SqlitePool, batch: &[PendingAppend]) -> Result<Vec<Appended>, sqlx::Error> {
    let mut transaction = pool.begin_with("BEGIN IMMEDIATE").await?;
    let (mut last_id, mut last_hash): (i64, String) =
        sqlx::query_as("SELECT last_id, last_hash FROM journal_head WHERE id = 1").fetch_one(&mut *transaction).await?;
    let mut used: HashMap<String, (i64, Option<String>)> = HashMap::new();
    let keys: Vec<&str> =
        batch.iter().filter_map(|pending| pending.key.as_ref().map(|(key, _)| key.as_str())).collect();
    if !keys.is_empty() {
        let mut lookup = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT idempotency_key, id, request_hash FROM decisions WHERE idempotency_key IN (",
        );
        let mut separated = lookup.separated(", ");
        for key in keys {
            separated.push_bind(key);
        }
        lookup.push(")");
        let rows: Vec<(String, i64, Option<String>)> = lookup.build_query_as().fetch_all(&mut *transaction).await?;
        used.extend(rows.into_iter().map(|(key, id, request)| (key, (id, request))));
    }
    let mut appended = Vec::with_capacity(batch.len());
    let mut rows = Vec::new();
    for pending in batch {
        if let Some((key, request)) = &pending.key {
            if let Some((id, request_hash)) = used.get(key) {
                appended.push(Appended::Replayed { id: *id, request_hash: request_hash.clone() });
                continue;
            }
            used.insert(key.clone(), (last_id + 1, Some(request.clone())));
        }
        let hash = decision_hash(&last_hash, &pending.content_hash, Some(&pending.columns_hash));
        last_id += 1;
        rows.push((last_id, pending, last_hash.clone(), hash.clone()));
        appended.push(Appended::New {
            id: last_id,
            content_hash: pending.content_hash.clone(),
            columns_hash: pending.columns_hash.clone(),
            prev_hash: std::mem::replace(&mut last_hash, hash.clone()),
            hash,
        });
    }
    if !rows.is_empty() {
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO decisions (id, recorded_at, client_id, rm, final_decision, model_decision, overridden, \
             reason_code, probability, model_version, content, content_hash, prev_hash, hash, idempotency_key, \
             request_hash, columns_hash) ",
        );
        insert.push_values(rows, |mut row, (id, pending, prev_hash, hash)| {
            row.push_bind(id);
            for bind in content_binds(&pending.content, &pending.text, &pending.content_hash) {
                with_bind!(bind, value => row.push_bind(value));
            }
            row.push_bind(prev_hash)
                .push_bind(hash)
                .push_bind(pending.key.as_ref().map(|(key, _)| key.as_str()))
                .push_bind(pending.key.as_ref().map(|(_, request)| request.as_str()))
                .push_bind(pending.columns_hash.as_str());
        });
        insert.build().execute(&mut *transaction).await?;
        sqlx::query("UPDATE journal_head SET last_id = $1, last_hash = $2 WHERE id = 1")
            .bind(last_id)
            .bind(last_hash)
            .execute(&mut *transaction)
            .await?;
    }
    transaction.commit().await?;
    Ok(appended)
}

/// PostgreSQL: one call of `journal_append_batch` (see `migrations/postgres`), a statement and
/// so a transaction of its own, with the batch as parallel arrays: one round trip, one commit.
async fn append_batch_postgres(pool: &PgPool, batch: &[PendingAppend]) -> Result<Vec<Appended>, sqlx::Error> {
    let column = |field: fn(&PendingAppend) -> String| batch.iter().map(field).collect::<Vec<String>>();
    let rows: Vec<(i32, i64, String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT o_index, o_id, o_prev_hash, o_hash, o_replayed, o_request_hash \
         FROM journal_append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ORDER BY o_index",
    )
    .bind(column(|pending| pending.content.recorded_at.clone()))
    .bind(batch.iter().map(|pending| pending.content.client_id).collect::<Vec<i64>>())
    .bind(column(|pending| pending.content.rm.clone()))
    .bind(column(|pending| pending.content.final_decision.as_str().to_string()))
    .bind(column(|pending| pending.content.model_decision.as_str().to_string()))
    .bind(batch.iter().map(|pending| i64::from(pending.content.overridden)).collect::<Vec<i64>>())
    .bind(batch.iter().map(|pending| pending.content.reason_code.clone()).collect::<Vec<Option<String>>>())
    .bind(batch.iter().map(|pending| pending.content.probability).collect::<Vec<f64>>())
    .bind(column(|pending| pending.content.model_version.clone()))
    .bind(column(|pending| pending.text.clone()))
    .bind(column(|pending| pending.content_hash.clone()))
    .bind(column(|pending| pending.columns_hash.clone()))
    .bind(batch.iter().map(|pending| pending.key.as_ref().map(|(key, _)| key.clone())).collect::<Vec<Option<String>>>())
    .bind(
        batch
            .iter()
            .map(|pending| pending.key.as_ref().map(|(_, request)| request.clone()))
            .collect::<Vec<Option<String>>>(),
    )
    .fetch_all(pool)
    .await?;
    if rows.len() != batch.len() {
        return Err(sqlx::Error::Protocol(format!(
            "journal_append_batch answered {} rows for {} decisions",
            rows.len(),
            batch.len()
        )));
    }
    Ok(rows
        .into_iter()
        .zip(batch)
        .map(|((_, id, prev_hash, hash, replayed, request_hash), pending)| {
            if replayed != 0 {
                Appended::Replayed { id, request_hash }
            } else {
                Appended::New {
                    id,
                    content_hash: pending.content_hash.clone(),
                    columns_hash: pending.columns_hash.clone(),
                    prev_hash,
                    hash,
                }
            }
        })
        .collect())
}

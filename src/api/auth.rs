//! Who calls, and whether their role may: the bearer token of every route but `/health` is a
//! user's token (checked against the journal's users on every request, so a revocation holds
//! on the next request of every server) or the shared `PAD_API_TOKEN` (an admin); each route
//! needs a [`Capability`] ([`needed`]); the reads of a client's data or decisions by a signed-in
//! caller are written to the journal's access log before the answer leaves.
//!
//! A server with no `PAD_API_TOKEN` and no user in its journal is open, as before users
//! existed: every caller is an unnamed admin and nothing is logged.

use std::sync::atomic::Ordering;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::state::AppState;
use crate::journal::{Capability, Role, SignedIn, TokenRefused};

/// How long a server that found no user trusts that answer before asking the journal again,
/// in milliseconds.
const NO_USERS_CHECK_MS: u64 = 1000;

/// The caller of a request, as handlers see it (a request extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user's name; none for the shared token or an open server.
    pub name: Option<String>,
    /// What they may do.
    pub role: Role,
}

impl Caller {
    /// The name a record made by this caller is made under: the user's, else `given` (what
    /// the request says) or `api`. A signed-in user cannot record under another name.
    pub fn author(&self, given: Option<&str>, field: &str) -> Result<String, ApiError> {
        let given = given.map(str::trim).filter(|given| !given.is_empty());
        match (&self.name, given) {
            (Some(name), Some(given)) if given != name => Err(ApiError::invalid(
                "invalid_decision",
                field,
                format!(
                    "{field}: you are signed in as {name}; what you record is recorded under your name (leave \
                     `{field}` out)"
                ),
            )),
            (Some(name), _) => Ok(name.clone()),
            (None, Some(given)) => Ok(given.to_string()),
            (None, None) => Ok("api".into()),
        }
    }

    /// The signed-in user, for the access log.
    fn signed_in(&self) -> Option<SignedIn> {
        self.name.as_ref().map(|name| SignedIn { name: name.clone(), role: self.role })
    }
}

/// What a route needs, and whether a call of it is a read to log.
pub fn needed(method: &Method, route: &str) -> (Capability, bool) {
    match (method.as_str(), route) {
        ("POST", "/decisions" | "/decisions/{id}/contest") => (Capability::Record, false),
        ("POST", "/decisions/{id}/review") => (Capability::Review, false),
        ("POST", "/predict" | "/predict/batch" | "/explain" | "/what-if" | "/counterfactual") => {
            (Capability::Score, true)
        }
        ("GET", "/access-log") => (Capability::Audit, false),
        (
            "GET",
            "/clients"
            | "/clients/{id}"
            | "/clients/{id}/history"
            | "/decisions"
            | "/decisions/{id}"
            | "/decisions/{id}/case"
            | "/contests",
        ) => (Capability::Read, true),
        _ => (Capability::Read, false),
    }
}

/// The middleware: identifies the caller, checks the route's capability, logs reads.
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|path| path.as_str().to_string()).unwrap_or_default();
    let method = request.method().clone();
    let sent = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        // The scheme is case-insensitive (RFC 9110).
        .and_then(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string()));
    let caller = match identify(&state, sent.as_deref()).await {
        Ok(caller) => caller,
        Err(error) => return error.into_response(),
    };
    let (capability, logged) = needed(&method, &route);
    if !caller.role.can(capability) {
        let who = caller.name.as_deref().unwrap_or("the caller");
        return ApiError::Forbidden(format!(
            "{method} {route} needs the role {}; {who} is {}",
            Role::needed_for(capability),
            caller.role
        ))
        .into_response();
    }
    let access = match (&state.journal, logged, caller.signed_in()) {
        (Some(journal), true, Some(user)) => Some((journal.clone(), user)),
        _ => None,
    };
    request.extensions_mut().insert(caller);
    let Some((journal, user)) = access else {
        return next.run(request).await;
    };
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let action = crate::domain::format::quote_external(
        &if query.is_empty() { format!("{method} {path}") } else { format!("{method} {path}?{query}") },
        300,
    );
    let segment = |index: usize| path.split('/').nth(index).and_then(|id| id.parse::<i64>().ok());
    let client_id = if route.starts_with("/clients/") {
        segment(2)
    } else {
        query.split('&').find_map(|pair| pair.strip_prefix("client_id=")).and_then(|id| id.parse().ok())
    };
    let decision_id = if route.starts_with("/decisions/") { segment(2) } else { None };
    // The log and the answer are made together; the answer leaves only once the read is logged.
    let (logged, response) =
        tokio::join!(journal.log_access(&user, &action, client_id, decision_id), next.run(request));
    match logged {
        Ok(()) => response,
        Err(error) => {
            tracing::error!(cause = %error, "the access log cannot be written");
            ApiError::JournalUnavailable("the access log cannot be written, so nothing is shown; try again".into())
                .into_response()
        }
    }
}

/// The caller of a request with bearer token `sent`.
async fn identify(state: &AppState, sent: Option<&str>) -> Result<Caller, ApiError> {
    let shared = Caller { name: None, role: Role::Admin };
    if let (Some(token), Some(sent)) = (&state.token, sent)
        && token.matches(sent)
    {
        return Ok(shared);
    }
    let Some(journal) = &state.journal else {
        return if state.token.is_none() { Ok(shared) } else { Err(ApiError::unauthorized()) };
    };
    let unavailable = |error: crate::journal::JournalError| {
        tracing::error!(cause = %error, "the journal cannot check the token");
        ApiError::JournalUnavailable("the users cannot be checked (the journal cannot be reached); try again".into())
    };
    match sent {
        Some(sent) => match journal.authenticate(sent).await.map_err(unavailable)? {
            Ok(user) => Ok(Caller { name: Some(user.name), role: user.role }),
            // A shared token of another length is only a wrong token.
            Err(TokenRefused::Malformed(_)) if state.token.is_some() => Err(ApiError::unauthorized()),
            Err(refused) => Err(ApiError::Unauthorized(format!("{refused}: send `Authorization: Bearer <token>`"))),
        },
        None if state.token.is_none() && !users_exist(state, journal).await.map_err(unavailable)? => Ok(shared),
        None => Err(ApiError::unauthorized()),
    }
}

/// Whether the journal has users: once it has, it always has (users are revoked, never
/// removed); until then, asked again at most every [`NO_USERS_CHECK_MS`].
async fn users_exist(
    state: &AppState,
    journal: &crate::journal::Journal,
) -> Result<bool, crate::journal::JournalError> {
    let seen = &state.no_users;
    if seen.users_exist.load(Ordering::Relaxed) {
        return Ok(true);
    }
    let now = u64::try_from(state.started.elapsed().as_millis()).unwrap_or(u64::MAX).max(1);
    let last = seen.at.load(Ordering::Relaxed);
    if last != 0 && now.saturating_sub(last) < NO_USERS_CHECK_MS {
        return Ok(false);
    }
    let exist = journal.has_users().await?;
    if exist {
        seen.users_exist.store(true, Ordering::Relaxed);
    } else {
        seen.at.store(now, Ordering::Relaxed);
    }
    Ok(exist)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_need_the_capability_of_what_they_do() {
        assert_eq!(needed(&Method::POST, "/decisions/{id}/review"), (Capability::Review, false));
        assert_eq!(needed(&Method::POST, "/explain"), (Capability::Score, true));
        assert_eq!(needed(&Method::GET, "/clients/{id}"), (Capability::Read, true));
        assert_eq!(needed(&Method::GET, "/model"), (Capability::Read, false));
        assert_eq!(needed(&Method::GET, "/access-log"), (Capability::Audit, false));
    }

    #[test]
    fn a_signed_in_user_records_under_their_own_name() {
        let ana = Caller { name: Some("ana".into()), role: Role::Rm };
        assert_eq!(ana.author(None, "rm").unwrap(), "ana");
        assert_eq!(ana.author(Some("ana"), "rm").unwrap(), "ana");
        assert!(ana.author(Some("bob"), "rm").is_err());
        let shared = Caller { name: None, role: Role::Admin };
        assert_eq!(shared.author(Some("bob"), "rm").unwrap(), "bob");
        assert_eq!(shared.author(None, "rm").unwrap(), "api");
    }
}

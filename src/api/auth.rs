//! Who calls, and whether their role may: the bearer token of every route but `/health` is a
//! user's token (checked against the journal's users on every request, so a revocation holds
//! on the next request of every server) or the shared `PAD_API_TOKEN`, a named service account
//! (an admin called `service`, or `pad serve --service-name`); each route needs a
//! [`Capability`] ([`needed`]); the reads of a client's data or decisions by a signed-in
//! caller (a user or the service account), scores included, are written to the journal's
//! access log before the answer leaves, with the client's id ([`read_subjects`]) and the query
//! string without credentials ([`loggable_query`]).
//!
//! Every caller records under its own name only ([`Caller::author`]): a body naming another
//! `rm` or `by` is refused, and acting for a user needs that user's token.
//!
//! A server with no `PAD_API_TOKEN` and no user in its journal is open, as before users
//! existed: every caller is an unnamed admin, records under the name it gives, and nothing is
//! logged.

use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::state::AppState;
use crate::journal::{Capability, Role, SignedIn, TextKind, TokenRefused, check_chars, normalise_name};

/// How long a server that found no user trusts that answer before asking the journal again,
/// in milliseconds.
const NO_USERS_CHECK_MS: u64 = 1000;

/// The longest action (method, path and query string) the access log keeps, in characters.
const LOGGED_QUERY_CHARS: usize = 300;

/// Parts of a query parameter's name (in lower case, without `-`, `_`, `.` and spaces) that
/// make it a credential, kept out of the access log: `token`, `access_token`, `api-key`,
/// `client_secret`, `Authorization`…
const CREDENTIAL_PARTS: [&str; 10] =
    ["token", "secret", "password", "passwd", "apikey", "authoriz", "credential", "session", "signature", "bearer"];
/// Query parameter names (in the same form) that are credentials by themselves.
const CREDENTIAL_NAMES: [&str; 6] = ["key", "pwd", "pass", "sig", "auth", "xauth"];

/// Who a caller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// A user, signed in with their own token.
    User,
    /// The service account: the shared `PAD_API_TOKEN`.
    Service,
    /// Nobody in particular: a server with neither `PAD_API_TOKEN` nor users.
    Open,
}

/// The caller of a request, as handlers see it (a request extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user's name, or the service account's; none on an open server.
    pub name: Option<String>,
    /// What they may do.
    pub role: Role,
    /// A user, the service account, or nobody.
    pub identity: Identity,
}

impl Caller {
    /// The name a record made by this caller is made under: a user's or the service account's
    /// own (a body may repeat it, in any case or Unicode form, or leave it out); on an open
    /// server, `given` (what the body's `field` says) or `api`. A body naming someone else is
    /// refused (422, code `invalid_author`, naming `field`): acting for a user needs their
    /// token. A name holding a NUL or control character is refused first.
    pub fn author(&self, given: Option<&str>, field: &str) -> Result<String, ApiError> {
        if let Some(given) = given {
            check_chars(field, given, TextKind::Line).map_err(ApiError::from_journal)?;
        }
        let given = given.map(str::trim).filter(|given| !given.is_empty());
        let name = match (&self.name, self.identity) {
            (Some(name), Identity::User | Identity::Service) => name,
            _ => return Ok(given.unwrap_or("api").to_string()),
        };
        let Some(given) = given.filter(|given| normalise_name(given) != normalise_name(name)) else {
            return Ok(name.clone());
        };
        let shown = crate::domain::format::quote_external(given, 60);
        let who = match self.identity {
            Identity::Service => format!(
                "this token is PAD_API_TOKEN, the service account {name}: what it records is recorded as {name}, \
                 never under a user's name"
            ),
            _ => format!("you are signed in as {name}: what you record is recorded under your name, never another's"),
        };
        Err(ApiError::invalid(
            "invalid_author",
            field,
            format!(
                "{field}: `{shown}` is not you; {who}. Leave `{field}` out, or send {shown}'s own token to act as them"
            ),
        ))
    }

    /// Who the access log says read, for a user or the service account.
    fn signed_in(&self) -> Option<SignedIn> {
        match (&self.name, self.identity) {
            (Some(name), Identity::User | Identity::Service) => Some(SignedIn { name: name.clone(), role: self.role }),
            _ => None,
        }
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

/// The query string as the access log keeps it: without the parameters whose (decoded) name
/// is a credential's (`token`, `access_token`, `api_key`, `password`…), the others as sent.
pub fn loggable_query(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let name = form_urlencoded::parse(pair.as_bytes()).next().map(|(name, _)| name.into_owned());
            !name.is_some_and(|name| is_credential(&name))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Whether a query parameter named `name` carries a credential.
fn is_credential(name: &str) -> bool {
    let compact: String =
        name.chars().filter(|character| !matches!(character, '-' | '_' | '.' | ' ')).collect::<String>().to_lowercase();
    CREDENTIAL_NAMES.contains(&compact.as_str()) || CREDENTIAL_PARTS.iter().any(|part| compact.contains(part))
}

/// Whom a scoring request (`route`, its JSON `body`) reads: per applicant, the served client's
/// id, or for an applicant given by features the id among them (`SK_ID_CURR`), else none. A
/// body the route cannot read is one read of nobody known (the route refuses it).
pub fn read_subjects(route: &str, body: &[u8]) -> Vec<Option<i64>> {
    use super::dto::{BatchRequest, ClientRequest, ScoreRequest, WhatIfRequest};
    use super::routes::Target;
    let of = |request: &ScoreRequest| match Target::of(request) {
        Ok(Target::Client(id)) => Some(id),
        Ok(Target::Inputs(inputs)) => Some(crate::scoring::id_of_inputs(&inputs)).filter(|id| *id != 0),
        Err(_) => None,
    };
    let subjects = match route {
        "/predict" | "/explain" => serde_json::from_slice::<ScoreRequest>(body).ok().map(|request| vec![of(&request)]),
        "/counterfactual" => {
            serde_json::from_slice::<ClientRequest>(body).ok().map(|request| vec![of(&request.to_score_request())])
        }
        "/what-if" => serde_json::from_slice::<WhatIfRequest>(body).ok().map(|request| vec![Some(request.client_id)]),
        "/predict/batch" => {
            serde_json::from_slice::<BatchRequest>(body).ok().map(|batch| batch.items.iter().map(of).collect())
        }
        _ => None,
    };
    subjects.filter(|subjects| !subjects.is_empty()).unwrap_or_else(|| vec![None])
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
    let raw_query = request.uri().query().unwrap_or_default().to_string();
    let query = loggable_query(&raw_query);
    let action = crate::domain::format::quote_external(
        &if query.is_empty() { format!("{method} {path}") } else { format!("{method} {path}?{query}") },
        LOGGED_QUERY_CHARS,
    );
    let segment = |index: usize| path.split('/').nth(index).and_then(|id| id.parse::<i64>().ok());
    let decision_id = if route.starts_with("/decisions/") { segment(2) } else { None };
    let subjects = if method == Method::POST {
        // A score reads the applicant its body names: the body is read here, and handed on.
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, state.limits.max_body_bytes).await {
            Ok(bytes) => bytes,
            Err(error) => return body_refused(&error).into_response(),
        };
        let subjects = read_subjects(&route, &bytes);
        request = Request::from_parts(parts, Body::from(bytes));
        subjects
    } else if route.starts_with("/clients/") {
        vec![segment(2)]
    } else {
        let client_id =
            raw_query.split('&').find_map(|pair| pair.strip_prefix("client_id=")).and_then(|id| id.parse::<i64>().ok());
        vec![client_id]
    };
    let reads: Vec<(Option<i64>, Option<i64>)> = subjects.into_iter().map(|client| (client, decision_id)).collect();
    // The log and the answer are made together; the answer leaves only once the read is logged.
    let (logged, response) = tokio::join!(journal.log_accesses(&user, &action, &reads), next.run(request));
    match logged {
        Ok(()) => response,
        Err(error) => {
            tracing::error!(cause = %error, "the access log cannot be written");
            ApiError::JournalUnavailable("the access log cannot be written, so nothing is shown; try again".into())
                .into_response()
        }
    }
}

/// The error of a body that cannot be read whole: larger than the server takes, or cut.
fn body_refused(error: &axum::Error) -> ApiError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if current.to_string().contains("length limit") {
            return ApiError::TooLarge("the request body is larger than the server takes (--max-body)".into());
        }
        cause = current.source();
    }
    ApiError::Malformed(format!("the request body cannot be read: {error}"))
}

/// The caller of a request with bearer token `sent`.
async fn identify(state: &AppState, sent: Option<&str>) -> Result<Caller, ApiError> {
    let open = Caller { name: None, role: Role::Admin, identity: Identity::Open };
    if let (Some(token), Some(sent)) = (&state.token, sent)
        && token.matches(sent)
    {
        return Ok(Caller {
            name: Some(state.service_name.to_string()),
            role: Role::Admin,
            identity: Identity::Service,
        });
    }
    let Some(journal) = &state.journal else {
        return if state.token.is_none() { Ok(open) } else { Err(ApiError::unauthorized()) };
    };
    let unavailable = |error: crate::journal::JournalError| {
        tracing::error!(cause = %error, "the journal cannot check the token");
        ApiError::JournalUnavailable("the users cannot be checked (the journal cannot be reached); try again".into())
    };
    match sent {
        Some(sent) => match journal.authenticate(sent).await.map_err(unavailable)? {
            Ok(user) => Ok(Caller { name: Some(user.name), role: user.role, identity: Identity::User }),
            // A shared token of another length is only a wrong token.
            Err(TokenRefused::Malformed(_)) if state.token.is_some() => Err(ApiError::unauthorized()),
            Err(refused) => Err(ApiError::Unauthorized(format!("{refused}: send `Authorization: Bearer <token>`"))),
        },
        None if state.token.is_none() && !users_exist(state, journal).await.map_err(unavailable)? => Ok(open),
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
    fn every_caller_records_under_its_own_name_only() {
        let ana = Caller { name: Some("ana".into()), role: Role::Rm, identity: Identity::User };
        assert_eq!(ana.author(None, "rm").unwrap(), "ana");
        assert_eq!(ana.author(Some("ana"), "rm").unwrap(), "ana");
        assert_eq!(ana.author(Some(" ANA "), "rm").unwrap(), "ana", "the same name, normalised");
        let refused = ana.author(Some("bob"), "rm").unwrap_err();
        assert_eq!(refused.status(), axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.code(), "invalid_author");
        assert!(refused.to_string().starts_with("rm: `bob` is not you; you are signed in as ana"), "{refused}");
        assert!(refused.to_string().contains("send bob's own token"), "{refused}");
        let service = Caller { name: Some("service".into()), role: Role::Admin, identity: Identity::Service };
        assert_eq!(service.author(None, "by").unwrap(), "service");
        assert_eq!(service.author(Some("service"), "by").unwrap(), "service");
        let refused = service.author(Some("aud1"), "by").unwrap_err().to_string();
        assert!(refused.contains("PAD_API_TOKEN, the service account service"), "{refused}");
        assert!(refused.contains("send aud1's own token"), "{refused}");
        // A name stored before names were normalised is still its owner's.
        let legacy = Caller { name: Some("Zoé".into()), role: Role::Rm, identity: Identity::User };
        assert_eq!(legacy.author(Some("zoé"), "rm").unwrap(), "Zoé");
        let open = Caller { name: None, role: Role::Admin, identity: Identity::Open };
        assert_eq!(open.author(Some("bob"), "rm").unwrap(), "bob");
        assert_eq!(open.author(None, "rm").unwrap(), "api");
        // A NUL is refused before anything else, whoever sends it.
        for caller in [&ana, &service, &open] {
            let refused = caller.author(Some("rm\0"), "rm").unwrap_err();
            assert_eq!(refused.status(), axum::http::StatusCode::UNPROCESSABLE_ENTITY);
            assert!(refused.to_string().starts_with("rm: holds U+0000 (NUL) at character 3"), "{refused}");
        }
    }

    #[test]
    fn credentials_never_reach_the_logged_query() {
        assert_eq!(loggable_query("client_id=7&token=s3cret"), "client_id=7");
        assert_eq!(loggable_query("access_token=a&user=ana&API-Key=b&limit=5"), "user=ana&limit=5");
        // Percent-encoded names are read as decoded: %74oken is token.
        assert_eq!(loggable_query("%74oken=s3cret&rm=ana"), "rm=ana");
        assert_eq!(loggable_query("password=x&key=y&client_secret=z&sig=w&X-Auth=v&Authorization=u"), "");
        // A name that only holds a credential's letters is not one.
        assert_eq!(loggable_query("author=ana&keyword=x"), "author=ana&keyword=x");
        assert_eq!(loggable_query("rm=ana%20martin&newest_first=true"), "rm=ana%20martin&newest_first=true");
        assert_eq!(loggable_query(""), "");
    }

    #[test]
    fn scores_read_the_client_or_the_applicant_they_name() {
        assert_eq!(read_subjects("/predict", br#"{"client_id": 400031}"#), vec![Some(400031)]);
        assert_eq!(
            read_subjects("/explain", br#"{"features": {"SK_ID_CURR": 512, "AMT_CREDIT": 1.0}}"#),
            vec![Some(512)]
        );
        assert_eq!(read_subjects("/predict", br#"{"features": {"AMT_CREDIT": 1.0}}"#), vec![None]);
        assert_eq!(read_subjects("/what-if", br#"{"client_id": 9, "changes": {}}"#), vec![Some(9)]);
        assert_eq!(read_subjects("/counterfactual", br#"{"client_id": 11}"#), vec![Some(11)]);
        assert_eq!(
            read_subjects("/predict/batch", br#"{"items": [{"client_id": 1}, {"features": {"SK_ID_CURR": 2}}]}"#),
            vec![Some(1), Some(2)]
        );
        assert_eq!(read_subjects("/predict", b"not json"), vec![None]);
    }
}

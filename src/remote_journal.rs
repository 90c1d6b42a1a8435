//! [`RemoteRecorder`]: the dashboard's decisions recorded through a `pad serve`
//! (`POST /decisions`), and a client's history read from it (`GET /decisions`), for the
//! remote mode. The server scores the client itself, stamps the time and computes the hashes.
//!
//! Each decision is sent with an `Idempotency-Key` kept while it is retried, so a retry after
//! a lost answer records it once.
//!
//! Uses: journal, api::dto.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::api::dto::{
    CaseDto, CaseEventDto, ChannelDto, ContestRequest, ContestsPage, CorrectionRequest, DecisionRequest, DecisionsPage,
    ErrorBody, FinalDecision, Lang, MeDto, OutcomeDto, ReviewRequest,
};
use crate::domain::format::Language;
use crate::domain::{ClientId, Decision};
use crate::journal::{
    Case, CaseEvent, CaseState, Channel, ContestDraft, DecisionDraft, DecisionEvent, JournalError, Outcome, Recorder,
    ReviewDraft,
};

/// Longest wait for the server's answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Records decisions through a `pad serve`.
#[derive(Debug)]
pub struct RemoteRecorder {
    base: String,
    token: Option<String>,
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
    /// The idempotency key of each request being retried, by the request's JSON.
    keys: Mutex<HashMap<String, String>>,
    /// Who the server takes this dashboard for (`GET /me` at the start), when it said.
    me: Option<MeDto>,
}

impl RemoteRecorder {
    /// A recorder over the server at `url`, driven on `runtime` (call it off that runtime's
    /// async tasks).
    pub fn new(
        url: &str,
        token: Option<String>,
        runtime: tokio::runtime::Handle,
    ) -> Result<RemoteRecorder, JournalError> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(TIMEOUT)
            .user_agent(concat!("pad/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| JournalError::Remote(format!("cannot start the HTTP client: {error}")))?;
        let mut recorder = RemoteRecorder {
            base: url.trim_end_matches('/').to_string(),
            token,
            client,
            runtime,
            keys: Mutex::default(),
            me: None,
        };
        // Who decides is the signed-in user, as the server says; a server that cannot say
        // (unreachable for now, or older) records the name the dashboard gives.
        let me = recorder.client.get(format!("{}/me", recorder.base));
        recorder.me = recorder.runtime.block_on(recorder.send::<MeDto>(me)).ok();
        Ok(recorder)
    }

    /// The request for a draft: only the RM's part (the server has the rest); no name when the
    /// server signed a user in (it records them).
    fn request(&self, draft: &DecisionDraft) -> DecisionRequest {
        let rm = &draft.rm;
        DecisionRequest {
            client_id: rm.client_id,
            decision: rm.decision.and_then(|decision| match decision {
                Decision::Accepted => Some(FinalDecision::Accepted),
                Decision::Refused => Some(FinalDecision::Refused),
                Decision::Incomplete => None,
            }),
            reason_code: rm.reason_code.clone(),
            justification: rm.justification.clone(),
            lang: Some(match rm.language {
                Language::En => Lang::En,
                Language::Fr => Lang::Fr,
            }),
            rm: self.author(&rm.rm),
            export_file: rm.export_file.clone(),
        }
    }

    /// The name to send as the author of a record: none when the server signed a user in (it
    /// records them), else the dashboard's.
    fn author(&self, name: &str) -> Option<String> {
        match self.me.as_ref().and_then(|me| me.name.as_ref()) {
            Some(_) => None,
            None => Some(name.to_string()),
        }
    }

    fn key_for(&self, body: &str) -> String {
        let mut keys = self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        keys.entry(body.to_string())
            .or_insert_with(|| {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |since| since.as_nanos());
                let seed = format!("{nanos}:{}:{body}", std::process::id());
                crate::journal::sha256_hex(seed.as_bytes())[..32].to_string()
            })
            .clone()
    }

    fn forget_key(&self, body: &str) {
        self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(body);
    }

    async fn send<T: serde::de::DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T, JournalError> {
        let request = match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request
            .send()
            .await
            .map_err(|error| JournalError::Remote(format!("{}: the server cannot be reached: {error}", self.base)))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|error| JournalError::Remote(format!("{}: the answer was cut: {error}", self.base)))?;
        if status.is_success() {
            return serde_json::from_str(&text)
                .map_err(|error| JournalError::Remote(format!("{}: unreadable answer: {error}", self.base)));
        }
        let message = serde_json::from_str::<ErrorBody>(&text)
            .map(|body| (body.error.message, body.error.field))
            .unwrap_or_else(|_| (format!("HTTP {status}"), None));
        if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
            return Err(JournalError::Remote(format!("{}: {}", self.base, message.0)));
        }
        Err(JournalError::Invalid { field: message.1.unwrap_or_else(|| "request".into()), message: message.0 })
    }
}

impl RemoteRecorder {
    /// A JSON value read again as another type (the API's bodies are the journal's records,
    /// field for field).
    fn convert<T: serde::Serialize, U: serde::de::DeserializeOwned>(
        &self,
        value: T,
        what: &str,
    ) -> Result<U, JournalError> {
        serde_json::to_value(value)
            .and_then(serde_json::from_value)
            .map_err(|error| JournalError::Remote(format!("{}: unreadable {what}: {error}", self.base)))
    }
}

impl Recorder for RemoteRecorder {
    fn open_contests(&self, limit: usize) -> Result<Vec<Case>, JournalError> {
        let url = format!("{}/contests?limit={}", self.base, limit.clamp(1, 1000));
        let page: ContestsPage = self.runtime.block_on(self.send(self.client.get(url)))?;
        let mut cases = Vec::with_capacity(page.contests.len());
        for contest in page.contests {
            let url = format!("{}/decisions/{}/case", self.base, contest.decision_id);
            let case: CaseDto = self.runtime.block_on(self.send(self.client.get(url)))?;
            let decision = self.convert(case.decision, "decision")?;
            let events = case
                .events
                .into_iter()
                .map(|event| self.convert(event, "contest or review"))
                .collect::<Result<Vec<_>, _>>()?;
            cases.push(Case { decision, events });
        }
        Ok(cases)
    }

    fn contest(&self, draft: &ContestDraft) -> Result<CaseEvent, JournalError> {
        let channel = match draft.channel {
            Channel::Branch => ChannelDto::Branch,
            Channel::Phone => ChannelDto::Phone,
            Channel::Email => ChannelDto::Email,
            Channel::Letter => ChannelDto::Letter,
            Channel::Online => ChannelDto::Online,
        };
        let request = ContestRequest { statement: draft.statement.clone(), channel, by: self.author(&draft.by) };
        let call = self.client.post(format!("{}/decisions/{}/contest", self.base, draft.decision_id)).json(&request);
        let event: CaseEventDto = self.runtime.block_on(self.send(call))?;
        self.convert(event, "contest")
    }

    fn review(&self, draft: &ReviewDraft) -> Result<CaseEvent, JournalError> {
        let request = ReviewRequest {
            outcome: match draft.outcome {
                Outcome::Upheld => OutcomeDto::Upheld,
                Outcome::Overturned => OutcomeDto::Overturned,
            },
            justification: draft.justification.clone(),
            corrections: draft
                .corrections
                .iter()
                .map(|correction| CorrectionRequest {
                    field: correction.field.clone(),
                    value: correction.corrected.clone(),
                    source: correction.source.clone(),
                })
                .collect(),
            by: self.author(&draft.by),
        };
        let call = self.client.post(format!("{}/decisions/{}/review", self.base, draft.decision_id)).json(&request);
        let event: CaseEventDto = self.runtime.block_on(self.send(call))?;
        self.convert(event, "review")
    }

    fn signed_in(&self) -> Option<(Option<String>, String)> {
        self.me.as_ref().map(|me| (me.name.clone(), me.role.clone()))
    }

    fn record(&self, draft: &DecisionDraft) -> Result<DecisionEvent, JournalError> {
        let request = self.request(draft);
        let body = serde_json::to_string(&request).map_err(|error| JournalError::Remote(error.to_string()))?;
        let key = self.key_for(&body);
        let call = self
            .client
            .post(format!("{}/decisions", self.base))
            .header("Idempotency-Key", key)
            .header("Content-Type", "application/json")
            .body(body.clone());
        let result = self.runtime.block_on(self.send::<DecisionEvent>(call));
        if !matches!(&result, Err(error) if error.is_transient()) {
            self.forget_key(&body);
        }
        result
    }

    fn history(&self, client_id: ClientId, limit: usize) -> Result<Vec<DecisionEvent>, JournalError> {
        let url =
            format!("{}/decisions?client_id={client_id}&limit={}&newest_first=true", self.base, limit.clamp(1, 1000));
        let page: DecisionsPage = self.runtime.block_on(self.send(self.client.get(url)))?;
        page.decisions
            .into_iter()
            .map(|decision| {
                serde_json::to_value(decision)
                    .and_then(serde_json::from_value)
                    .map_err(|error| JournalError::Remote(format!("{}: unreadable decision: {error}", self.base)))
            })
            .collect()
    }

    fn decisions_in_state(
        &self,
        client_id: ClientId,
        state: CaseState,
        limit: usize,
    ) -> Result<Vec<i64>, JournalError> {
        let url = format!(
            "{}/decisions?client_id={client_id}&state={}&limit={}&newest_first=true",
            self.base,
            state.as_str(),
            limit.clamp(1, 1000)
        );
        let page: DecisionsPage = self.runtime.block_on(self.send(self.client.get(url)))?;
        Ok(page.decisions.into_iter().map(|decision| decision.id).collect())
    }

    fn location(&self) -> String {
        format!("{} (the server's)", self.base)
    }
}

//! A remote scorer's connection in the dashboard's state: what the status bar says of the
//! server, and reconnecting when it is lost.

use super::App;
use crate::tui::command::Command;
use crate::tui::panel::Input;
use crate::tui::state::{LinkStatus, Loadable, Status, StatusKind};
use crate::tui::strings;

impl App {
    /// A remote request went through or failed: show it, and start reconnecting on a failure.
    pub(super) fn linked(&mut self, link: crate::scoring::Link) -> Vec<Command> {
        // Reports come from several tasks: one older than what is shown is out of date.
        if self.link.as_ref().is_some_and(|status| status.finished > link.finished) {
            return Vec::new();
        }
        let attempt = self.link.as_ref().and_then(|status| status.attempt);
        let failed = link.failure.is_some();
        // A pending attempt stays: its answer is ignored if the server answered meanwhile.
        let attempt = if failed { Some(attempt.unwrap_or(0)) } else { None };
        let starting = failed && self.link.as_ref().is_none_or(|status| status.attempt.is_none());
        self.link = Some(LinkStatus::new(link, attempt));
        if starting { vec![Command::Reconnect(0)] } else { Vec::new() }
    }

    /// The answer of a reconnection attempt: go on waiting, or reload what failed.
    pub(super) fn reconnected(&mut self, attempt: u32, result: Result<crate::scoring::Link, String>) -> Vec<Command> {
        let Some(status) = self.link.as_mut() else { return Vec::new() };
        if status.attempt != Some(attempt) {
            return Vec::new(); // The server answered another request meanwhile.
        }
        match result {
            Err(message) => {
                status.failure = Some(message);
                status.attempt = Some(attempt + 1);
                vec![Command::Reconnect(attempt + 1)]
            }
            Ok(link) => {
                let server = link.server.clone();
                *status = LinkStatus::new(crate::scoring::Link { failure: None, ..link }, None);
                self.status = Some(Status { text: strings::reconnected(&server), kind: StatusKind::Info });
                let mut commands = Vec::new();
                if let Some((id, Loadable::Failed(_))) = &self.record {
                    let id = *id;
                    self.record = Some((id, Loadable::Loading));
                    commands.push(Command::LoadClient(id));
                }
                if matches!(self.portfolio, Loadable::Failed(_)) {
                    self.portfolio = Loadable::Loading;
                    commands.push(Command::LoadPortfolio);
                }
                commands.extend(self.every_tab(Input::Reconnected));
                commands
            }
        }
    }
}

//! The customer sheet and chart in the dashboard's state: exporting the sheet of the decision
//! on screen, and asking for the customer view's chart image. The view itself is an overlay
//! ([`crate::tui::overlays::customer`]).

use super::App;
use crate::domain::format::Language;
use crate::domain::{Counterfactual, Decision, Explanation};
use crate::tui::command::{Command, ExportJob};
use crate::tui::overlays::customer;
use crate::tui::state::{ChartKey, Loadable, Mode, Status, StatusKind};
use crate::tui::strings;

/// The narrowest chart image, in pixels: at the smallest chart text (about 13 px letters)
/// a label of some 25 characters beside a bar still readable.
const MIN_CHART_WIDTH: u32 = 400;

impl App {
    /// The export finished: say where the files are, or why not.
    pub(super) fn exported(&mut self, result: Result<Vec<std::path::PathBuf>, String>) -> Vec<Command> {
        // A review's sheet is not the sheet of the decision on screen.
        if let (Ok(paths), Some(explanation), false) = (&result, self.shown_explanation(), self.mode() == Mode::Review)
        {
            let sheet = paths.iter().find(|path| path.extension().is_some_and(|extension| extension == "md"));
            if let Some(sheet) = sheet.or(paths.first()) {
                self.last_export = Some((explanation.score.client_id, sheet.display().to_string()));
            }
        }
        match result {
            Ok(paths) => {
                let names: Vec<String> = paths.iter().map(|path| path.display().to_string()).collect();
                let language = if self.mode() == Mode::Customer { self.language } else { Language::En };
                let text = strings::exported(&names, language);
                self.status = Some(Status { text, kind: StatusKind::Info });
            }
            Err(message) => self.error(message),
        }
        Vec::new()
    }

    /// The chart image arrived (or failed: back to the text chart).
    pub(super) fn chart_rendered(
        &mut self,
        key: ChartKey,
        result: Result<std::sync::Arc<image::RgbImage>, String>,
    ) -> Vec<Command> {
        if self.chart_pending.as_ref() == Some(&key) {
            self.chart_pending = None;
        }
        match result {
            Ok(image) => self.chart_image = Some((key, image)),
            Err(message) => {
                // Back to the text chart rather than asking again and again.
                self.chart_pixels = None;
                self.error(message);
            }
        }
        Vec::new()
    }

    /// Asks for the customer view's chart image when the terminal shows images and the one
    /// on screen is not for what is shown.
    pub(super) fn request_chart(&mut self) -> Vec<Command> {
        let Some((cell_width, cell_height)) = self.chart_pixels else { return Vec::new() };
        let Some(view) = self.overlays.customer().filter(|_| self.mode() == Mode::Customer) else { return Vec::new() };
        let Some((key, _)) = customer::chart_area(&self.context(), view.scroll) else { return Vec::new() };
        let current = self.chart_image.as_ref().is_some_and(|(shown, _)| *shown == key);
        if current || self.chart_pending.as_ref() == Some(&key) {
            return Vec::new();
        }
        let pixels = (u32::from(key.columns) * u32::from(cell_width), u32::from(key.rows) * u32::from(cell_height));
        // Too small for a legible image: the text chart stays.
        if crate::charts::waterfall_rows_that_fit(pixels.0, pixels.1) < crate::charts::MIN_ROWS
            || pixels.0 < MIN_CHART_WIDTH
        {
            return Vec::new();
        }
        let Some(explanation) = self.shown_explanation().cloned() else { return Vec::new() };
        let job = self.export_job(explanation, None);
        self.chart_pending = Some(key.clone());
        vec![Command::RenderChart(Box::new(job), key, pixels)]
    }

    pub(super) fn export(&mut self) -> Vec<Command> {
        let Some(explanation) = self.shown_explanation().cloned() else {
            self.error(self.keymap.expand(strings::PREDICT_FIRST));
            return Vec::new();
        };
        if !explanation.score.decision.is_decided() {
            self.error(strings::export_incomplete(&explanation.score.missing));
            return Vec::new();
        }
        let counterfactual = self.shown_counterfactual().and_then(Loadable::ready).cloned();
        // A search still running is worth waiting for; a failed one is said so on the sheet.
        if explanation.score.decision == Decision::Refused
            && matches!(self.shown_counterfactual(), Some(Loadable::Loading))
        {
            self.error(strings::EXPORT_WAIT.into());
            return Vec::new();
        }
        let job = self.export_job(explanation, counterfactual);
        self.status = Some(Status { text: strings::EXPORTING.into(), kind: StatusKind::Info });
        vec![Command::Export(Box::new(job))]
    }

    /// What the customer sheet (or its chart) of a shown explanation needs.
    fn export_job(&self, explanation: Explanation, counterfactual: Option<Counterfactual>) -> ExportJob {
        ExportJob {
            record: self.selected_record().filter(|record| record.id == explanation.score.client_id).cloned(),
            explanation,
            counterfactual,
            features: self.info.features.clone(),
            model_version: self.info.model_version.clone(),
            policy_version: self.info.policy_version.clone(),
            language: self.language,
            folder: self.export_dir.clone(),
            review: None,
        }
    }
}

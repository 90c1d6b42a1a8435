//! Principal reasons: the few facts about a client that moved the estimated risk most, worded
//! for the customer in English and French.
//!
//! From a client's contributions (in probability units), the reason policy
//! (`assets/policy.toml`, through each feature's [`PolicyClass`]) decides what may be said:
//! protected attributes are left out, features a customer cannot act on or understand are
//! folded into one line ("other characteristics of the application"), and the others are
//! merged when they say the same thing (`DAYS_EMPLOYED` and its ratio; the three statistics of
//! one building measure; the groups of `assets/reasons.toml`). Then:
//!
//! - for a refusal, the (at most four) reasons that pushed most towards default;
//! - for an acceptance, the (at most four) that counted most in the client's favour.
//!
//! Each reason is a sentence from the feature's template with the client's value in human
//! units and a comparison that reads the way its contribution points: an unfavourable reason
//! says where the value stands among clients who repaid, on the side where those who had
//! payment difficulties lie ("lower than for 80 % of clients who repaid"); a favourable one
//! where it stands among clients who had payment difficulties, on the side of those who
//! repaid ("higher than for 70 % of clients who had payment difficulties"). Where the value
//! does not lie on that side (the model's effect is not the population's), the sentence makes
//! no comparison rather than one that reads the wrong way. Pure functions; the caller supplies
//! the client's values and standings.
//!
//! Uses: domain.

use std::collections::BTreeMap;

use crate::domain::format::{Language, format_number, format_percent, format_value};
use crate::domain::{
    Bilingual, ComparedWith, Decision, Effect, FeatureDescription, FieldValue, PolicyClass, Reason, ReasonComparison,
};

/// The sentences shipped with the package.
pub const BUNDLED: &str = include_str!("../../assets/reasons.toml");

/// At most this many reasons are given.
pub const MAX_REASONS: usize = 4;

/// A reason whose contribution is smaller than this (probability units: 0.05 percentage
/// points) says nothing a customer could act on or recognise, and is not given.
pub const NEGLIGIBLE_POINTS: f64 = 0.0005;

/// The sentences file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ReasonsError {
    /// Not valid TOML, or not the expected layout.
    #[error("assets/reasons.toml: {0}")]
    Unreadable(String),
    /// A sentence misses a placeholder it needs or names one that does not exist.
    #[error("assets/reasons.toml: the sentence `{key}` of `{feature}` {problem}")]
    BadSentence {
        /// The feature (or `generic`).
        feature: String,
        /// The key (`en`, `yes_fr`, ...).
        key: String,
        /// What is wrong.
        problem: String,
    },
}

/// How a ratio is shown in a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum ValueStyle {
    /// In the feature's unit.
    #[default]
    Unit,
    /// As a percentage (`0.183` reads `18.3 %`).
    Percent,
    /// As a multiple (`2.4` reads `2.40 times`).
    Multiple,
    /// An age in whole years (from days or years).
    WholeYears,
}

/// One feature's sentences.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Template {
    en: Option<String>,
    fr: Option<String>,
    yes_en: Option<String>,
    no_en: Option<String>,
    yes_fr: Option<String>,
    no_fr: Option<String>,
    one_en: Option<String>,
    one_fr: Option<String>,
    more_en: Option<String>,
    less_en: Option<String>,
    more_fr: Option<String>,
    less_fr: Option<String>,
    #[serde(default)]
    value: ValueStyle,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GenericTemplate {
    en: String,
    fr: String,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FoldedTemplate {
    en: String,
    fr: String,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    #[serde(default)]
    groups: Vec<Vec<String>>,
    generic: GenericTemplate,
    folded: FoldedTemplate,
    #[serde(default)]
    features: BTreeMap<String, Template>,
    #[serde(default)]
    categories: BTreeMap<String, BTreeMap<String, [String; 2]>>,
}

/// The sentences of every feature, the merged groups and the category names for customers.
#[derive(Debug, Clone)]
pub struct Templates {
    groups: Vec<Vec<String>>,
    generic: Bilingual,
    folded: Bilingual,
    features: BTreeMap<String, Template>,
    categories: BTreeMap<String, BTreeMap<String, Bilingual>>,
}

/// Where a client's value stands among the clients of the reference population who repaid,
/// and among those who had payment difficulties.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RepaidStanding {
    /// For a number: the percentage of clients who repaid with a smaller value (equal values
    /// counted half), over those with a value; for durations, with a shorter duration.
    pub percentile: Option<f64>,
    /// For a category, a yes/no answer or a missing value: the percentage of clients who
    /// repaid sharing it.
    pub share: Option<f64>,
    /// [`RepaidStanding::percentile`] among clients who had payment difficulties.
    pub defaulted_percentile: Option<f64>,
    /// [`RepaidStanding::share`] among clients who had payment difficulties.
    pub defaulted_share: Option<f64>,
}

/// What the reasons need to know about one client.
pub trait ClientFacts {
    /// The client's value of feature `feature_idx`.
    fn value(&self, feature_idx: usize) -> FieldValue;
    /// Where that value stands among clients who repaid.
    fn standing(&self, feature_idx: usize) -> RepaidStanding;
}

/// One client's contributions and decision.
#[derive(Debug, Clone, Copy)]
pub struct ReasonInput<'a> {
    /// The model's features, in model order.
    pub features: &'a [FeatureDescription],
    /// Contributions in probability units, one per feature.
    pub points: &'a [f64],
    /// Contributions in log-odds, one per feature.
    pub log_odds: &'a [f64],
    /// The decision explained.
    pub decision: Decision,
}

const PLACEHOLDERS: [&str; 3] = ["{value}", "{comparison}", "{label}"];

impl Templates {
    /// The sentences shipped with the package.
    pub fn bundled() -> Result<Templates, ReasonsError> {
        Templates::parse(BUNDLED)
    }

    /// Parses a sentences file, checking every sentence's placeholders.
    pub fn parse(text: &str) -> Result<Templates, ReasonsError> {
        let file: TemplateFile = toml::from_str(text).map_err(|error| ReasonsError::Unreadable(error.to_string()))?;
        let check = |feature: &str, key: &str, sentence: &str, generic: bool| {
            let problem = if !sentence.contains("{comparison}") {
                Some("has no {comparison}".to_string())
            } else if !generic && sentence.contains("{label}") {
                Some("uses {label}, which only the generic sentence may".to_string())
            } else {
                unknown_placeholder(sentence).map(|name| format!("names the unknown placeholder {name}"))
            };
            match problem {
                Some(problem) => Err(ReasonsError::BadSentence { feature: feature.into(), key: key.into(), problem }),
                None => Ok(()),
            }
        };
        check("generic", "en", &file.generic.en, true)?;
        check("generic", "fr", &file.generic.fr, true)?;
        for (name, template) in &file.features {
            let sentences = [
                ("en", &template.en),
                ("fr", &template.fr),
                ("yes_en", &template.yes_en),
                ("no_en", &template.no_en),
                ("yes_fr", &template.yes_fr),
                ("no_fr", &template.no_fr),
                ("one_en", &template.one_en),
                ("one_fr", &template.one_fr),
            ];
            for (key, sentence) in sentences {
                if let Some(sentence) = sentence {
                    check(name, key, sentence, false)?;
                }
            }
            if template.en.is_some() != template.fr.is_some()
                || template.yes_en.is_some() != template.yes_fr.is_some()
                || template.yes_en.is_some() != template.no_en.is_some()
                || template.yes_fr.is_some() != template.no_fr.is_some()
                || template.one_en.is_some() != template.one_fr.is_some()
            {
                return Err(ReasonsError::BadSentence {
                    feature: name.clone(),
                    key: "en/fr".into(),
                    problem: "is not given in both languages (and, for yes/no, for both answers)".into(),
                });
            }
        }
        let categories = file
            .categories
            .into_iter()
            .map(|(feature, names)| {
                let names = names.into_iter().map(|(key, [en, fr])| (key, Bilingual { en, fr })).collect();
                (feature, names)
            })
            .collect();
        Ok(Templates {
            groups: file.groups,
            generic: Bilingual { en: file.generic.en, fr: file.generic.fr },
            folded: Bilingual { en: file.folded.en, fr: file.folded.fr },
            features: file.features,
            categories,
        })
    }

    /// The key of the reason a feature belongs to: the first member of its group, the stem of
    /// a building statistic, else its own name.
    fn group_key(&self, name: &str) -> String {
        if let Some(group) = self.groups.iter().find(|group| group.iter().any(|member| member == name))
            && let Some(first) = group.first()
        {
            return first.clone();
        }
        for suffix in ["_AVG", "_MODE", "_MEDI"] {
            if let Some(stem) = name.strip_suffix(suffix)
                && stem != "TOTALAREA"
                && stem.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                && !matches!(stem, "FONDKAPREMONT" | "HOUSETYPE" | "WALLSMATERIAL" | "EMERGENCYSTATE")
            {
                return format!("building:{stem}");
            }
        }
        name.to_string()
    }

    /// Position of a feature inside its group (the quoting order).
    fn group_rank(&self, name: &str) -> usize {
        if let Some(group) = self.groups.iter().find(|group| group.iter().any(|member| member == name)) {
            return group.iter().position(|member| member == name).unwrap_or(0);
        }
        ["_AVG", "_MODE", "_MEDI"].iter().position(|suffix| name.ends_with(suffix)).unwrap_or(0)
    }

    /// The sentences shipped with the package, parsed once (`None` only if they could not be,
    /// which a test rules out).
    pub fn shared() -> Option<&'static Templates> {
        static SHARED: std::sync::OnceLock<Option<Templates>> = std::sync::OnceLock::new();
        SHARED.get_or_init(|| Templates::bundled().ok()).as_ref()
    }

    /// The categories of a feature that have customer-facing names (the data's spelling).
    pub fn named_categories(&self, feature: &str) -> Vec<&str> {
        self.categories.get(feature).map_or_else(Vec::new, |names| names.keys().map(String::as_str).collect())
    }

    /// A client's value as the customer reads it: categories in the customer's words, ratios
    /// as percentages or multiples, ages in whole years, as in the feature's sentence.
    pub fn value_text(&self, feature: &FeatureDescription, value: &FieldValue, language: Language) -> String {
        let style = self.features.get(&feature.name).map(|template| template.value).unwrap_or_default();
        self.shown_value(feature, value, style, language)
    }

    /// The sentence for one feature of a client whose contribution had `effect`, in both
    /// languages, with the comparison it makes (see [`Templates::comparison`]).
    pub fn sentence(
        &self,
        feature: &FeatureDescription,
        value: &FieldValue,
        standing: RepaidStanding,
        effect: Effect,
    ) -> (Bilingual, Option<ReasonComparison>) {
        let comparison = self.comparison(feature, value, standing, effect);
        let text = Bilingual {
            en: self.sentence_in(feature, value, comparison, Language::En),
            fr: self.sentence_in(feature, value, comparison, Language::Fr),
        };
        (text, comparison)
    }

    /// The one line standing for every feature a customer is not told about.
    pub fn folded(&self) -> &Bilingual {
        &self.folded
    }

    /// The comparison a reason with `effect` makes, if one reads that way: a number is
    /// compared with clients who repaid when it raised the risk, with clients who had payment
    /// difficulties when it lowered it, and only when it lies beyond most of them on the side
    /// of the other group (where the other group is more common than the compared one at this
    /// value); a category, yes/no answer or missing value gives the share of both groups
    /// sharing it, when it is more common among those the effect points to. `None`: no
    /// comparison reads the right way, and the sentence makes none.
    pub fn comparison(
        &self,
        feature: &FeatureDescription,
        value: &FieldValue,
        standing: RepaidStanding,
        effect: Effect,
    ) -> Option<ReasonComparison> {
        let favourable = effect == Effect::LowersRisk;
        let ranked = matches!(value, FieldValue::Number(_)) && yes_no(value, &feature.unit).is_none();
        if ranked && let Some(repaid) = standing.percentile {
            let defaulted = standing.defaulted_percentile?;
            // More of the repaid than of the defaulted lie below the value: around it, a
            // higher value goes with more payment difficulties.
            if repaid == defaulted {
                return None;
            }
            let higher_riskier = repaid > defaulted;
            let (population, percentile) =
                if favourable { (ComparedWith::Defaulted, defaulted) } else { (ComparedWith::Repaid, repaid) };
            let above = percentile >= 50.0;
            let reads_right = if favourable { above != higher_riskier } else { above == higher_riskier };
            let percent = if above { percentile } else { 100.0 - percentile };
            return reads_right.then_some(ReasonComparison::Rank { population, above, percent });
        }
        let (repaid, defaulted) = (standing.share?, standing.defaulted_share?);
        // Rounded as shown: two equal figures would say nothing.
        let apart = repaid.round() != defaulted.round();
        let reads_right = if favourable { repaid > defaulted } else { defaulted > repaid };
        (apart && reads_right).then_some(ReasonComparison::Share { repaid, defaulted })
    }

    fn sentence_in(
        &self,
        feature: &FeatureDescription,
        value: &FieldValue,
        comparison: Option<ReasonComparison>,
        language: Language,
    ) -> String {
        let template = self.features.get(&feature.name);
        let label = match language {
            Language::En => &feature.label_en,
            Language::Fr => &feature.label_fr,
        };
        let durations = feature.unit == "days";
        let (more, less) = comparison_words(template, durations, language);
        let phrase =
            comparison.map(|comparison| comparison_phrase(comparison, more, less, language)).unwrap_or_default();
        if matches!(value, FieldValue::Missing) {
            let sentence = self.generic.get(language);
            let not_given = format_value(value, &feature.unit, language);
            return fill(sentence, label, &not_given, &phrase);
        }
        let answer = yes_no(value, &feature.unit);
        if let (Some(template), Some(yes)) = (template, answer) {
            let sentence = match (language, yes) {
                (Language::En, true) => &template.yes_en,
                (Language::En, false) => &template.no_en,
                (Language::Fr, true) => &template.yes_fr,
                (Language::Fr, false) => &template.no_fr,
            };
            if let Some(sentence) = sentence {
                return fill(sentence, label, "", &phrase);
            }
        }
        let style = template.map(|template| template.value).unwrap_or_default();
        let shown = self.shown_value(feature, value, style, language);
        let one = matches!(value, FieldValue::Number(number) if *number == 1.0);
        let sentence = match (template, language) {
            (Some(Template { one_en: Some(sentence), .. }), Language::En)
            | (Some(Template { one_fr: Some(sentence), .. }), Language::Fr)
                if one =>
            {
                sentence.as_str()
            }
            (Some(Template { en: Some(sentence), .. }), Language::En)
            | (Some(Template { fr: Some(sentence), .. }), Language::Fr) => sentence.as_str(),
            _ => self.generic.get(language),
        };
        fill(sentence, label, &shown, &phrase)
    }

    /// A value as the sentence shows it.
    fn shown_value(
        &self,
        feature: &FeatureDescription,
        value: &FieldValue,
        style: ValueStyle,
        language: Language,
    ) -> String {
        match (value, style) {
            (FieldValue::Number(number), ValueStyle::Percent) => format_percent(*number, language),
            (FieldValue::Number(number), ValueStyle::Multiple) => {
                let times = format_number(*number, "", language);
                match language {
                    Language::En => format!("{times} times"),
                    Language::Fr => format!("{times} fois"),
                }
            }
            (FieldValue::Number(number), ValueStyle::WholeYears) => {
                let years = if feature.unit == "days" { number.abs() / 365.25 } else { *number };
                let years = years.floor().max(0.0);
                match language {
                    Language::En => format!("{years:.0} years"),
                    Language::Fr => format!("{years:.0} ans"),
                }
            }
            (FieldValue::Category(category), _) => self
                .categories
                .get(&feature.name)
                .and_then(|names| names.get(category))
                .map_or_else(|| format_value(value, &feature.unit, language), |names| names.get(language).to_string()),
            _ => format_value(value, &feature.unit, language),
        }
    }
}

/// The first `{...}` of a sentence that is not a known placeholder.
fn unknown_placeholder(sentence: &str) -> Option<String> {
    let mut rest = sentence;
    while let Some(start) = rest.find('{') {
        let tail = &rest[start..];
        let end = tail.find('}').map_or(tail.len(), |end| end + 1);
        let name = &tail[..end];
        if !PLACEHOLDERS.contains(&name) {
            return Some(name.to_string());
        }
        rest = &tail[end..];
    }
    None
}

fn fill(sentence: &str, label: &str, value: &str, comparison: &str) -> String {
    sentence.replace("{label}", label).replace("{value}", value).replace("{comparison}", comparison)
}

/// Whether a yes/no answer is yes; `None` for anything that is not a yes/no answer.
fn yes_no(value: &FieldValue, unit: &str) -> Option<bool> {
    if unit != "flag" {
        return None;
    }
    match value {
        FieldValue::Number(number) => Some(*number != 0.0),
        FieldValue::Category(category) => match category.as_str() {
            "Y" | "Yes" | "y" | "yes" => Some(true),
            "N" | "No" | "n" | "no" => Some(false),
            _ => None,
        },
        FieldValue::Missing => None,
    }
}

fn comparison_words(template: Option<&Template>, durations: bool, language: Language) -> (&str, &str) {
    let (more, less) = match (template, language) {
        (Some(template), Language::En) => (template.more_en.as_deref(), template.less_en.as_deref()),
        (Some(template), Language::Fr) => (template.more_fr.as_deref(), template.less_fr.as_deref()),
        (None, _) => (None, None),
    };
    // "soit plus que pour" agrees with any noun, where "plus élevé" would not.
    let (default_more, default_less) = match (language, durations) {
        (Language::En, false) => ("higher than for", "lower than for"),
        (Language::En, true) => ("longer than for", "shorter than for"),
        (Language::Fr, false) => ("soit plus que pour", "soit moins que pour"),
        (Language::Fr, true) => ("soit plus longtemps que pour", "soit moins longtemps que pour"),
    };
    (more.unwrap_or(default_more), less.unwrap_or(default_less))
}

/// The clients of a group, as a sentence names them.
fn clients_of(population: ComparedWith, language: Language) -> &'static str {
    match (population, language) {
        (ComparedWith::Repaid, Language::En) => "clients who repaid",
        (ComparedWith::Repaid, Language::Fr) => "clients ayant remboursé",
        (ComparedWith::Defaulted, Language::En) => "clients who had payment difficulties",
        (ComparedWith::Defaulted, Language::Fr) => "clients ayant eu des difficultés de paiement",
    }
}

/// The `{comparison}` of a sentence, with its leading comma.
fn comparison_phrase(comparison: ReasonComparison, more: &str, less: &str, language: Language) -> String {
    match comparison {
        ReasonComparison::Rank { population, above, percent } => {
            rank_phrase(if above { more } else { less }, percent, clients_of(population, language), language)
        }
        ReasonComparison::Share { repaid, defaulted } => share_phrase(repaid, defaulted, language),
    }
}

/// `, lower than for 80 % of clients who repaid`: `percent` of the group lie on the other side.
fn rank_phrase(word: &str, percent: f64, clients: &str, language: Language) -> String {
    // Beyond every one of them (a mid-rank of exactly 100): "all", not "100 %".
    match (language, percent >= 100.0) {
        (Language::En, true) => format!(", {word} all {clients}"),
        (Language::Fr, true) => format!(", {word} tous les {clients}"),
        (Language::En, false) => format!(", {word} {} of {clients}", whole_percent(percent, language)),
        (Language::Fr, false) => format!(", {word} {} des {clients}", whole_percent(percent, language)),
    }
}

/// `, like 61 % of clients who repaid and 70 % of clients who had payment difficulties`.
fn share_phrase(repaid: f64, defaulted: f64, language: Language) -> String {
    let (repaid, defaulted) = (whole_percent(repaid, language), whole_percent(defaulted, language));
    match language {
        Language::En => {
            format!(", like {repaid} of clients who repaid and {defaulted} of clients who had payment difficulties")
        }
        Language::Fr => format!(
            ", comme {repaid} des clients ayant remboursé et {defaulted} des clients ayant eu des difficultés de paiement"
        ),
    }
}

/// A percentage rounded to a whole number, never shown as 0 % or 100 % unless it is exact.
fn whole_percent(share: f64, language: Language) -> String {
    let rounded = share.round();
    let rounded = if rounded == 0.0 && share > 0.0 {
        1.0
    } else if rounded == 100.0 && share < 100.0 {
        99.0
    } else {
        rounded
    };
    format!("{rounded:.0}{}%", crate::domain::format::percent_space(language))
}

/// The key of the one reason folding every feature a customer is not told about (no feature
/// name holds a colon).
const FOLDED_KEY: &str = "policy:not_for_customers";

/// The principal reasons of one client, as the reason policy allows: merged, free of
/// protected attributes, the features a customer is not told about folded into one line, at
/// most [`MAX_REASONS`], largest first, each worded in both languages.
pub fn principal_reasons(templates: &Templates, input: &ReasonInput<'_>, facts: &dyn ClientFacts) -> Vec<Reason> {
    struct Group {
        members: Vec<usize>,
        points: f64,
        log_odds: f64,
    }
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for (feature_idx, feature) in input.features.iter().enumerate() {
        let class = policy_class(feature);
        if class == PolicyClass::Protected {
            continue;
        }
        let (Some(&points), Some(&log_odds)) = (input.points.get(feature_idx), input.log_odds.get(feature_idx)) else {
            continue;
        };
        let key = if class.customer_facing() { templates.group_key(&feature.name) } else { FOLDED_KEY.to_string() };
        let group = groups.entry(key).or_insert(Group { members: Vec::new(), points: 0.0, log_odds: 0.0 });
        group.members.push(feature_idx);
        group.points += points;
        group.log_odds += log_odds;
    }
    let towards_default = input.decision == Decision::Refused;
    let mut chosen: Vec<Group> =
        groups
            .into_values()
            .filter(|group| {
                if towards_default { group.points >= NEGLIGIBLE_POINTS } else { group.points <= -NEGLIGIBLE_POINTS }
            })
            .collect();
    chosen.sort_by(|a, b| b.points.abs().total_cmp(&a.points.abs()).then_with(|| a.members.cmp(&b.members)));
    chosen.truncate(MAX_REASONS);
    chosen
        .into_iter()
        .map(|mut group| {
            let effect = if group.points > 0.0 { Effect::RaisesRisk } else { Effect::LowersRisk };
            let folded = group.members.iter().all(|&idx| !policy_class(&input.features[idx]).customer_facing());
            if folded {
                // The features that moved the risk, largest first.
                let mut moved: Vec<usize> =
                    group.members.iter().copied().filter(|&idx| input.points[idx] != 0.0).collect();
                moved.sort_by(|&a, &b| input.points[b].abs().total_cmp(&input.points[a].abs()).then(a.cmp(&b)));
                return Reason {
                    features: moved.iter().map(|&idx| input.features[idx].name.clone()).collect(),
                    points: group.points,
                    log_odds: group.log_odds,
                    effect,
                    text: templates.folded.clone(),
                    class: PolicyClass::NotForCustomers,
                    comparison: None,
                };
            }
            group.members.sort_by_key(|&idx| templates.group_rank(&input.features[idx].name));
            // The first member with a value is quoted (an age from either of its columns; the
            // "no current job" flag when the job's length is missing because of it).
            let quoted = group
                .members
                .iter()
                .copied()
                .find(|&idx| !matches!(facts.value(idx), FieldValue::Missing))
                .or(group.members.first().copied())
                .unwrap_or(0);
            let feature = &input.features[quoted];
            let (text, comparison) = templates.sentence(feature, &facts.value(quoted), facts.standing(quoted), effect);
            let mut features: Vec<String> = vec![feature.name.clone()];
            features.extend(
                group.members.iter().filter(|&&idx| idx != quoted).map(|&idx| input.features[idx].name.clone()),
            );
            Reason {
                features,
                points: group.points,
                log_odds: group.log_odds,
                effect,
                text,
                class: policy_class(feature),
                comparison,
            }
        })
        .collect()
}

/// A feature's class, protected whenever it is marked protected.
fn policy_class(feature: &FeatureDescription) -> PolicyClass {
    if feature.protected { PolicyClass::Protected } else { feature.class }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(name: &str, unit: &str, class: PolicyClass) -> FeatureDescription {
        FeatureDescription {
            name: name.into(),
            label_en: format!("{name} label"),
            label_fr: format!("libellé {name}"),
            unit: unit.into(),
            categories: None,
            actionable: class == PolicyClass::Actionable,
            protected: class == PolicyClass::Protected,
            derived: false,
            used: true,
            required: false,
            class,
        }
    }

    fn rank(repaid: f64, defaulted: f64) -> RepaidStanding {
        RepaidStanding { percentile: Some(repaid), defaulted_percentile: Some(defaulted), ..RepaidStanding::default() }
    }

    fn shares(repaid: f64, defaulted: f64) -> RepaidStanding {
        RepaidStanding { share: Some(repaid), defaulted_share: Some(defaulted), ..RepaidStanding::default() }
    }

    struct Facts(Vec<FieldValue>, Vec<RepaidStanding>);

    impl ClientFacts for Facts {
        fn value(&self, feature_idx: usize) -> FieldValue {
            self.0[feature_idx].clone()
        }
        fn standing(&self, feature_idx: usize) -> RepaidStanding {
            self.1[feature_idx]
        }
    }

    #[test]
    fn the_bundled_sentences_parse() {
        assert!(Templates::shared().is_some());
        let templates = Templates::bundled().unwrap();
        let owns = feature("FLAG_OWN_CAR", "flag", PolicyClass::Explained);
        assert_eq!(templates.value_text(&owns, &FieldValue::Category("Y".into()), Language::Fr), "oui");
        let share = feature("ANNUITY_INCOME_RATIO", "ratio", PolicyClass::Actionable);
        assert_eq!(templates.value_text(&share, &FieldValue::Number(0.183), Language::En), "18.3 %");
        assert!(templates.features.contains_key("EXT_SOURCE_3"));
        assert_eq!(templates.group_key("AGE_YEARS"), "DAYS_BIRTH");
        assert_eq!(templates.group_key("APARTMENTS_MEDI"), templates.group_key("APARTMENTS_AVG"));
        assert_eq!(templates.group_key("TOTALAREA_MODE"), "TOTALAREA_MODE");
        assert_eq!(templates.group_key("HOUSETYPE_MODE"), "HOUSETYPE_MODE");
        assert_eq!(templates.folded().en, "Other characteristics of the application, taken together.");
    }

    #[test]
    fn a_refusal_gives_the_largest_pushes_towards_default_as_the_policy_allows() {
        let templates = Templates::bundled().unwrap();
        let features = vec![
            feature("EXT_SOURCE_3", "score", PolicyClass::Explained),
            feature("DAYS_BIRTH", "days", PolicyClass::NotForCustomers),
            feature("CODE_GENDER", "category", PolicyClass::Protected),
            feature("AGE_YEARS", "years", PolicyClass::NotForCustomers),
            feature("AMT_CREDIT", "currency", PolicyClass::Actionable),
            feature("CNT_CHILDREN", "count", PolicyClass::NotForCustomers),
            feature("FLAG_PHONE", "flag", PolicyClass::NotForCustomers),
            feature("EXT_SOURCE_2", "score", PolicyClass::Explained),
            feature("AMT_ANNUITY", "currency", PolicyClass::Actionable),
        ];
        // Points: EXT_SOURCE_3 +5 pp; gender +9 pp (protected: never given, not even folded);
        // amount −3 pp (favourable: not a reason for a refusal); age +1 + 1.5, children
        // +0.01 and home phone +1 pp, all kept from customers: folded into one line of
        // 1 + 1.5 + 0.01 + 1 = +3.51 pp; EXT_SOURCE_2 +0.6 pp; annuity +0.4 pp.
        let points = [0.05, 0.01, 0.09, 0.015, -0.03, 0.0001, 0.01, 0.006, 0.004];
        let log_odds: Vec<f64> = points.iter().map(|p| p * 4.0).collect();
        let facts = Facts(
            vec![
                FieldValue::Number(0.213),
                FieldValue::Number(-9861.0),
                FieldValue::Category("F".into()),
                FieldValue::Number(27.0),
                FieldValue::Number(450000.0),
                FieldValue::Number(0.0),
                FieldValue::Number(0.0),
                FieldValue::Number(0.5),
                FieldValue::Number(40000.0),
            ],
            vec![
                // 20 % of clients who repaid have a smaller score 3, 60 % of those who did
                // not: low scores go with difficulties, and the client's is low.
                rank(20.0, 60.0),
                rank(20.0, 30.0),
                shares(50.0, 50.0),
                rank(20.0, 30.0),
                rank(50.0, 50.0),
                shares(70.0, 60.0),
                shares(30.0, 40.0),
                // Above 70 % of the repaid but 80 % of the defaulted: around 0.5, a higher
                // score 2 goes with fewer difficulties, so "higher than 70 % of clients who
                // repaid" would read as a fault where the value is not one: no comparison.
                rank(70.0, 80.0),
                // Above 90 % of the repaid and 50 % of the defaulted: large annuities go
                // with difficulties, and the client's is large.
                rank(90.0, 50.0),
            ],
        );
        let input =
            ReasonInput { features: &features, points: &points, log_odds: &log_odds, decision: Decision::Refused };
        let reasons = principal_reasons(&templates, &input, &facts);
        let quoted: Vec<&str> = reasons.iter().map(|reason| reason.features[0].as_str()).collect();
        assert_eq!(quoted, ["EXT_SOURCE_3", "AGE_YEARS", "EXT_SOURCE_2", "AMT_ANNUITY"]);
        // Folded: the features that moved the risk, largest first.
        assert_eq!(reasons[1].features, ["AGE_YEARS", "DAYS_BIRTH", "FLAG_PHONE", "CNT_CHILDREN"]);
        assert!((reasons[1].points - 0.0351).abs() < 1e-15);
        assert!((reasons[1].log_odds - 0.1404).abs() < 1e-15);
        assert_eq!(reasons[1].class, PolicyClass::NotForCustomers);
        assert_eq!(reasons[1].text.en, "Other characteristics of the application, taken together.");
        assert_eq!(reasons[1].text.fr, "Autres caractéristiques de la demande, prises ensemble.");
        assert_eq!(reasons[1].comparison, None);
        let classes: Vec<PolicyClass> = reasons.iter().map(|reason| reason.class).collect();
        assert_eq!(
            classes,
            [PolicyClass::Explained, PolicyClass::NotForCustomers, PolicyClass::Explained, PolicyClass::Actionable]
        );
        assert!(reasons.iter().all(|reason| reason.effect == Effect::RaisesRisk));
        assert!(reasons.iter().all(|reason| !reason.features.iter().any(|name| name == "CODE_GENDER")));
        assert_eq!(
            reasons[0].text.en,
            "Your external credit score 3 is 0.213, lower than for 80 % of clients who repaid."
        );
        assert_eq!(
            reasons[0].text.fr,
            "Votre score de crédit externe 3 est de 0,213, soit moins que pour 80\u{202f}% des clients ayant remboursé."
        );
        assert_eq!(
            reasons[0].comparison,
            Some(ReasonComparison::Rank { population: ComparedWith::Repaid, above: false, percent: 80.0 })
        );
        assert_eq!(reasons[2].text.en, "Your external credit score 2 is 0.500.");
        assert_eq!(reasons[2].comparison, None);
        assert_eq!(
            reasons[3].text.en,
            "Your annual repayment would be €40,000, higher than for 90 % of clients who repaid."
        );
    }

    #[test]
    fn an_acceptance_gives_the_strongest_favourable_factors_compared_with_clients_in_difficulty() {
        let templates = Templates::bundled().unwrap();
        let features = vec![
            feature("EXT_SOURCE_3", "score", PolicyClass::Explained),
            feature("AMT_CREDIT", "currency", PolicyClass::Actionable),
            feature("OWN_CAR_AGE", "years", PolicyClass::Explained),
        ];
        let points = [-0.02, -0.03, -0.01];
        let facts = Facts(
            vec![FieldValue::Number(0.53), FieldValue::Number(90000.0), FieldValue::Number(19.0)],
            vec![
                // Client 400001's score 3: below 52 % of those who repaid (the sentence that
                // read as a fault), above 75 % of those who had payment difficulties.
                rank(48.0, 75.0),
                // A small loan: below 75 % of the defaulted, and small loans go with fewer
                // difficulties (25 % of the repaid lie below it, 25 % of the defaulted).
                rank(25.0, 25.0),
                // An old car: older than 86 % of the repaid and 80 % of the defaulted, so
                // old cars go with more difficulties here: no comparison reads favourably.
                rank(86.0, 80.0),
            ],
        );
        let input =
            ReasonInput { features: &features, points: &points, log_odds: &points, decision: Decision::Accepted };
        let reasons = principal_reasons(&templates, &input, &facts);
        assert_eq!(reasons.len(), 3);
        assert!(reasons.iter().all(|reason| reason.effect == Effect::LowersRisk));
        // Equal standings in both groups: nothing to compare.
        assert_eq!(reasons[0].text.en, "You are asking to borrow €90,000.");
        assert_eq!(
            reasons[1].text.en,
            "Your external credit score 3 is 0.530, higher than for 75 % of clients who had payment difficulties."
        );
        assert_eq!(
            reasons[1].text.fr,
            "Votre score de crédit externe 3 est de 0,530, soit plus que pour 75\u{202f}% des clients ayant eu des difficultés de paiement."
        );
        assert_eq!(reasons[2].text.en, "Your car is 19 years old.");
        assert_eq!(reasons[2].text.fr, "Votre voiture a 19 ans.");
    }

    #[test]
    fn missing_values_categories_and_ratios_read_plainly() {
        let templates = Templates::bundled().unwrap();
        // Missing in 56.4 % of the repaid and 60 % of the defaulted: a missing score raised
        // the risk, and it is more common among clients in difficulty.
        let (missing, comparison) = templates.sentence(
            &feature("EXT_SOURCE_1", "score", PolicyClass::Explained),
            &FieldValue::Missing,
            shares(56.4, 60.0),
            Effect::RaisesRisk,
        );
        assert_eq!(
            missing.en,
            "EXT_SOURCE_1 label: not given, like 56 % of clients who repaid and 60 % of clients who had payment difficulties."
        );
        assert_eq!(
            missing.fr,
            "libellé EXT_SOURCE_1\u{a0}: non renseigné, comme 56\u{202f}% des clients ayant remboursé et 60\u{202f}% des clients ayant eu des difficultés de paiement."
        );
        assert_eq!(comparison, Some(ReasonComparison::Share { repaid: 56.4, defaulted: 60.0 }));
        // The same shares for a favourable reason would read the wrong way: none.
        let (favourable, comparison) = templates.sentence(
            &feature("EXT_SOURCE_1", "score", PolicyClass::Explained),
            &FieldValue::Missing,
            shares(56.4, 60.0),
            Effect::LowersRisk,
        );
        assert_eq!(favourable.en, "EXT_SOURCE_1 label: not given.");
        assert_eq!(comparison, None);
        let (education, _) = templates.sentence(
            &feature("NAME_EDUCATION_TYPE", "category", PolicyClass::Explained),
            &FieldValue::Category("Secondary / secondary special".into()),
            shares(70.2, 80.4),
            Effect::RaisesRisk,
        );
        assert_eq!(
            education.fr,
            "Votre niveau d'études le plus élevé est «\u{a0}secondaire\u{a0}», comme 70\u{202f}% des clients ayant remboursé et 80\u{202f}% des clients ayant eu des difficultés de paiement."
        );
        // Equal once rounded: nothing said.
        let (close, _) = templates.sentence(
            &feature("NAME_EDUCATION_TYPE", "category", PolicyClass::Explained),
            &FieldValue::Category("Secondary / secondary special".into()),
            shares(70.2, 69.9),
            Effect::LowersRisk,
        );
        assert_eq!(close.en, "Your highest level of education is \u{201c}secondary\u{201d}.");
        // 0.183 of the income: 18.3 %; 90.1 % of clients who repaid repay a smaller share.
        let (annuity, _) = templates.sentence(
            &feature("ANNUITY_INCOME_RATIO", "ratio", PolicyClass::Actionable),
            &FieldValue::Number(0.183),
            rank(90.1, 70.0),
            Effect::RaisesRisk,
        );
        assert_eq!(
            annuity.en,
            "Your repayments would take 18.3 % of your income, higher than for 90 % of clients who repaid."
        );
        // Beyond every client of a group: "all".
        assert_eq!(
            rank_phrase("higher than for", 100.0, "clients who repaid", Language::En),
            ", higher than for all clients who repaid"
        );
        assert_eq!(
            rank_phrase("soit moins que pour", 100.0, "clients ayant remboursé", Language::Fr),
            ", soit moins que pour tous les clients ayant remboursé"
        );
        assert_eq!(
            rank_phrase("higher than for", 99.7, "clients who repaid", Language::En),
            ", higher than for 99 % of clients who repaid"
        );
        // A singular where the value is 1; durations compare lengths.
        let (child, _) = templates.sentence(
            &feature("CNT_CHILDREN", "count", PolicyClass::NotForCustomers),
            &FieldValue::Number(1.0),
            rank(80.0, 85.0),
            Effect::LowersRisk,
        );
        assert_eq!(child.en, "You have one child, more than 85 % of clients who had payment difficulties.");
        assert_eq!(
            child.fr,
            "Vous avez un enfant, soit plus que pour 85\u{202f}% des clients ayant eu des difficultés de paiement."
        );
        // Shares are never rounded to an impossible 0 % or 100 %.
        assert_eq!(whole_percent(0.2, Language::En), "1 %");
        assert_eq!(whole_percent(99.7, Language::En), "99 %");
        assert_eq!(whole_percent(100.0, Language::En), "100 %");
        assert_eq!(whole_percent(70.2, Language::Fr), "70\u{202f}%");
    }

    #[test]
    fn malformed_sentences_are_refused_with_the_feature_named() {
        let bad = "[generic]\nen = \"{label}: {value}{comparison}.\"\nfr = \"{label} : {value}{comparison}.\"\n\
                   [folded]\nen = \"Other.\"\nfr = \"Autres.\"\n\
                   [features.X]\nen = \"Your {valeur}{comparison}\"\nfr = \"{value}{comparison}\"\n";
        let error = Templates::parse(bad).unwrap_err().to_string();
        assert!(error.contains("`en` of `X`") && error.contains("{valeur}"), "{error}");
        let one_language = "[generic]\nen = \"{label}{comparison}\"\nfr = \"{label}{comparison}\"\n\
                            [folded]\nen = \"Other.\"\nfr = \"Autres.\"\n\
                            [features.X]\nen = \"{value}{comparison}\"\n";
        let error = Templates::parse(one_language).unwrap_err().to_string();
        assert!(error.contains("both languages"), "{error}");
        let no_comparison =
            "[generic]\nen = \"{label}\"\nfr = \"{label}{comparison}\"\n[folded]\nen = \"O.\"\nfr = \"A.\"\n";
        assert!(Templates::parse(no_comparison).unwrap_err().to_string().contains("has no {comparison}"));
    }
}

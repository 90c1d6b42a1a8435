//! What the customer reads, in English and French: the words of the customer view, of the
//! exported sheet and of its chart, kept in one place so that the screen and the paper agree.
//!
//! Uses: domain's own formats.

use super::Decision;
use super::format::{Language, format_percent};

/// The bank's name.
pub const BANK: &str = "Prêt à dépenser";

/// The decision as the customer reads it: `ACCEPTED` / `ACCEPTÉE`.
pub fn decision_word(decision: Decision, language: Language) -> &'static str {
    match (decision, language) {
        (Decision::Accepted, Language::En) => "ACCEPTED",
        (Decision::Refused, Language::En) => "REFUSED",
        (Decision::Accepted, Language::Fr) => "ACCEPTÉE",
        (Decision::Refused, Language::Fr) => "REFUSÉE",
        (Decision::Incomplete, Language::En) => "INCOMPLETE",
        (Decision::Incomplete, Language::Fr) => "INCOMPLÈTE",
    }
}

/// The title of the customer's explanation.
pub fn title(client_id: i64, language: Language) -> String {
    match language {
        Language::En => format!("Your loan application (client {client_id})"),
        Language::Fr => format!("Votre demande de prêt (client {client_id})"),
    }
}

/// The paragraph of a sheet that follows the review of a contest on `date`.
pub fn review_sentence(overturned: bool, date: &str, language: Language) -> String {
    match (overturned, language) {
        (true, Language::En) => {
            format!("This decision follows the review of your contest, on {date}: the first decision was reversed.")
        }
        (false, Language::En) => {
            format!("This decision follows the review of your contest, on {date}: the first decision stands.")
        }
        (true, Language::Fr) => format!(
            "Cette décision fait suite au réexamen de votre contestation, le {date}\u{a0}: la première décision a été \
             infirmée."
        ),
        (false, Language::Fr) => format!(
            "Cette décision fait suite au réexamen de votre contestation, le {date}\u{a0}: la première décision est \
             maintenue."
        ),
    }
}

/// The words the chart's title ends with after a review on `date`.
pub fn after_review(date: &str, language: Language) -> String {
    match language {
        Language::En => format!("after review, {date}"),
        Language::Fr => format!("après réexamen, le {date}"),
    }
}

/// One sentence stating the decision.
pub fn decision_sentence(decision: Decision, language: Language) -> &'static str {
    match (decision, language) {
        (Decision::Accepted, Language::En) => "Your application is accepted.",
        (Decision::Refused, Language::En) => "Your application is refused.",
        (Decision::Accepted, Language::Fr) => "Votre demande est acceptée.",
        (Decision::Refused, Language::Fr) => "Votre demande est refusée.",
        (Decision::Incomplete, Language::En) => "Your application is incomplete: no decision can be made yet.",
        (Decision::Incomplete, Language::Fr) => {
            "Votre demande est incomplète\u{a0}: aucune décision ne peut encore être prise."
        }
    }
}

/// The estimated risk against the bank's limit.
pub fn risk_sentence(probability: f64, threshold: f64, language: Language) -> String {
    let (risk, limit) = (format_percent(probability, language), format_percent(threshold, language));
    match language {
        Language::En => {
            format!("Estimated risk of payment difficulties: {risk}. The bank accepts applications below {limit}.")
        }
        Language::Fr => format!(
            "Risque estimé de difficultés de paiement\u{a0}: {risk}. La banque accepte les demandes en dessous de {limit}."
        ),
    }
}

/// The heading of the reasons.
pub fn reasons_heading(decision: Decision, language: Language) -> &'static str {
    match (decision, language) {
        (Decision::Refused, Language::En) => "The main reasons",
        (Decision::Refused, Language::Fr) => "Les principales raisons",
        (Decision::Accepted, Language::En) => "What counted in your favour",
        (Decision::Accepted, Language::Fr) => "Ce qui a joué en votre faveur",
        (Decision::Incomplete, Language::En) => "What your application still needs",
        (Decision::Incomplete, Language::Fr) => "Ce qu'il manque à votre demande",
    }
}

/// When no reason stands out.
pub fn no_reasons(language: Language) -> &'static str {
    match language {
        Language::En => "No single part of your application stands out: the estimate is close to the average.",
        Language::Fr => "Aucun élément de votre demande ne se distingue\u{a0}: l'estimation est proche de la moyenne.",
    }
}

/// The heading of what would change the decision.
pub fn change_heading(language: Language) -> &'static str {
    match language {
        Language::En => "What would change the decision",
        Language::Fr => "Ce qui changerait la décision",
    }
}

/// While the search for a change runs.
pub fn change_loading(language: Language) -> &'static str {
    match language {
        Language::En => "Looking for a change to the loan that would help…",
        Language::Fr => "Recherche d'une modification du prêt qui aiderait…",
    }
}

/// When the search for a change failed.
pub fn change_failed(language: Language) -> &'static str {
    match language {
        Language::En => "The bank could not work out a change to the loan this time.",
        Language::Fr => "La banque n'a pas pu calculer de modification du prêt cette fois-ci.",
    }
}

/// The heading of the contribution chart.
pub fn chart_heading(language: Language) -> &'static str {
    match language {
        Language::En => "How each part of your application moved the estimated risk (percentage points)",
        Language::Fr => {
            "Comment chaque élément de votre demande a fait varier le risque estimé (points de pourcentage)"
        }
    }
}

/// The start of the chart: the average applicant.
pub fn chart_start(language: Language) -> &'static str {
    match language {
        Language::En => "Average applicant",
        Language::Fr => "Demandeur moyen",
    }
}

/// The end of the chart: the customer.
pub fn chart_end(language: Language) -> &'static str {
    match language {
        Language::En => "You",
        Language::Fr => "Vous",
    }
}

/// The grouped rest of the chart.
pub fn chart_rest(language: Language) -> &'static str {
    match language {
        Language::En => "Other characteristics of the application",
        Language::Fr => "Autres caractéristiques de la demande",
    }
}

/// What red steps of the chart mean.
pub fn chart_raises(language: Language) -> &'static str {
    match language {
        Language::En => "raises the risk",
        Language::Fr => "augmente le risque",
    }
}

/// What blue steps of the chart mean.
pub fn chart_lowers(language: Language) -> &'static str {
    match language {
        Language::En => "lowers the risk",
        Language::Fr => "diminue le risque",
    }
}

/// The bank's limit on the chart.
pub fn chart_limit(threshold: f64, language: Language) -> String {
    match language {
        Language::En => format!("Bank's limit {}", format_percent(threshold, language)),
        Language::Fr => format!("Seuil de la banque {}", format_percent(threshold, language)),
    }
}

/// The stamp of an exported sheet.
pub fn stamp(model_version: &str, policy_version: &str, threshold: f64, when: &str, language: Language) -> String {
    let limit = format_percent(threshold, language);
    match language {
        Language::En => {
            format!("Model {model_version}, reason policy {policy_version}, limit {limit}, produced {when}.")
        }
        Language::Fr => {
            format!("Modèle {model_version}, politique des motifs {policy_version}, seuil {limit}, établi le {when}.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_state_the_risk_against_the_limit() {
        assert_eq!(
            risk_sentence(0.1234, 0.0844, Language::En),
            "Estimated risk of payment difficulties: 12.3 %. The bank accepts applications below 8.4 %."
        );
        assert!(risk_sentence(0.1234, 0.0844, Language::Fr).contains("12,3\u{202f}%"));
        assert_eq!(decision_word(Decision::Refused, Language::Fr), "REFUSÉE");
    }
}

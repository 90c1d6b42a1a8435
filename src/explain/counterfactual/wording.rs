//! What the search found, in the customer's words, in French and English: the proposal, the
//! cost of a change that asks more per year, or the lowest probability the levers reach.

use super::{Proposal, SearchOutcome};
use crate::domain::format::{Language, format_number, format_percent, format_value};
use crate::domain::{Bilingual, FeatureDescription, FieldValue, LoanKind, Threshold};

/// The proposal or the statement for the customer, in both languages, for a loan of `kind`
/// (see [`loan_kind`]).
pub fn describe(
    outcome: &SearchOutcome,
    features: &[FeatureDescription],
    threshold: Threshold,
    kind: LoanKind,
) -> Option<Bilingual> {
    let limit = |language| format_percent(threshold.value(), language);
    match outcome {
        SearchOutcome::NotNeeded(_) => None,
        SearchOutcome::Found(proposal) => Some(Bilingual {
            en: proposal_sentence(proposal, features, &limit(Language::En), kind, Language::En),
            fr: proposal_sentence(proposal, features, &limit(Language::Fr), kind, Language::Fr),
        }),
        SearchOutcome::NoneWithinBounds(lowest) => Some(Bilingual {
            en: unreachable_sentence(*lowest, &limit(Language::En), kind, Language::En),
            fr: unreachable_sentence(*lowest, &limit(Language::Fr), kind, Language::Fr),
        }),
    }
}

/// Nothing within the bounds is enough: what was tried, and the lowest risk it reaches (never
/// a figure that reads as the limit itself).
pub(super) fn unreachable_sentence(lowest: f64, limit: &str, kind: LoanKind, language: Language) -> String {
    let lowest = format_percent(lowest, language);
    let levers = match (kind, language) {
        (LoanKind::CashLoan, Language::En) => {
            "No change to the amount borrowed or the repayments within the usual ranges"
        }
        (LoanKind::RevolvingCredit, Language::En) => "No lower credit limit within the usual ranges",
        (LoanKind::CashLoan, Language::Fr) => {
            "Aucune modification du montant emprunté ou des remboursements dans les limites habituelles"
        }
        (LoanKind::RevolvingCredit, Language::Fr) => "Aucun plafond de crédit plus bas dans les limites habituelles",
    };
    // The lowest reachable is at or above the limit; when both round to the same figure,
    // quoting it would read as "the limit is 8.4 %, the lowest is 8.4 %".
    match (language, lowest == limit) {
        (Language::En, false) => format!(
            "{levers} would bring the estimated risk under the bank's limit of {limit}; the lowest it could reach \
             is {lowest}."
        ),
        (Language::En, true) => format!(
            "{levers} would bring the estimated risk under the bank's limit of {limit}; the lowest it could reach \
             is just above that limit."
        ),
        (Language::Fr, false) => format!(
            "{levers} ne ramènerait le risque estimé sous le seuil de la banque de {limit}\u{a0}; le risque le plus \
             bas atteignable serait de {lowest}."
        ),
        (Language::Fr, true) => format!(
            "{levers} ne ramènerait le risque estimé sous le seuil de la banque de {limit}\u{a0}; le risque le plus \
             bas atteignable resterait juste au-dessus de ce seuil."
        ),
    }
}

pub(super) fn proposal_sentence(
    proposal: &Proposal,
    features: &[FeatureDescription],
    limit: &str,
    kind: LoanKind,
    language: Language,
) -> String {
    let name = |feature: usize| features.get(feature).map_or("", |feature| feature.name.as_str());
    let amount = |value: f64| format_number(value, "currency", language);
    let find = |wanted: &str| proposal.changes.iter().find(|&&(feature, _, _)| name(feature) == wanted);
    let mut clauses = Vec::new();
    let revolving = kind == LoanKind::RevolvingCredit;
    if revolving {
        // A credit line: its limit, and the minimum payment that follows it.
        let mut terms = Vec::new();
        if let Some(&(_, from, to)) = find("AMT_CREDIT") {
            terms.push(match language {
                Language::En => format!("a credit limit of {} instead of {}", amount(to), amount(from)),
                Language::Fr => format!("un plafond de crédit de {} au lieu de {}", amount(to), amount(from)),
            });
        }
        if let Some(&(_, from, to)) = find("AMT_ANNUITY") {
            terms.push(match language {
                Language::En => {
                    format!("a required minimum payment of {} a year instead of {}", amount(to), amount(from))
                }
                Language::Fr => {
                    format!("un remboursement minimum obligatoire de {} par an au lieu de {}", amount(to), amount(from))
                }
            });
        }
        if !terms.is_empty() {
            clauses.push(match language {
                Language::En => format!("had {}", terms.join(" and ")),
                Language::Fr => format!("aviez {}", terms.join(" et ")),
            });
        }
    } else if let Some(&(_, from, to)) = find("AMT_CREDIT")
        && proposal.same_goods
    {
        let brought = amount(from - to);
        clauses.push(match language {
            Language::En => {
                format!(
                    "borrowed {} instead of {} for the same goods (paying {brought} more yourself)",
                    amount(to),
                    amount(from)
                )
            }
            Language::Fr => format!(
                "empruntiez {} au lieu de {} pour le même bien (en apportant {brought} vous-même)",
                amount(to),
                amount(from)
            ),
        });
    } else if let Some(&(_, from, to)) = find("AMT_CREDIT") {
        let goods = find("AMT_GOODS_PRICE").map(|&(_, _, goods)| amount(goods));
        clauses.push(match (language, goods) {
            (Language::En, None) => format!("borrowed {} instead of {}", amount(to), amount(from)),
            (Language::En, Some(goods)) => {
                format!("borrowed {} instead of {} (for goods costing {goods})", amount(to), amount(from))
            }
            (Language::Fr, None) => format!("empruntiez {} au lieu de {}", amount(to), amount(from)),
            (Language::Fr, Some(goods)) => {
                format!("empruntiez {} au lieu de {} (pour un bien de {goods})", amount(to), amount(from))
            }
        });
    } else if let Some(&(_, from, to)) = find("AMT_GOODS_PRICE") {
        clauses.push(match language {
            Language::En => format!("financed goods costing {} instead of {}", amount(to), amount(from)),
            Language::Fr => format!("financiez un bien de {} au lieu de {}", amount(to), amount(from)),
        });
    }
    if let Some(&(_, from, to)) = find("AMT_ANNUITY").filter(|_| !revolving) {
        // Compared with the amount borrowed: a lighter repayment per euro is a longer period.
        let credit = find("AMT_CREDIT").map(|&(_, from, to)| (from, to));
        let rate_change = credit.map_or(to / from, |(credit_from, credit_to)| (to / credit_to) / (from / credit_from));
        let period = if rate_change < 0.999 {
            match language {
                Language::En => " (a longer repayment period)",
                Language::Fr => " (sur une durée plus longue)",
            }
        } else if rate_change > 1.001 {
            match language {
                Language::En => " (a shorter repayment period)",
                Language::Fr => " (sur une durée plus courte)",
            }
        } else {
            ""
        };
        clauses.push(match language {
            Language::En => format!("repaid {} a year instead of {}{period}", amount(to), amount(from)),
            Language::Fr => format!("remboursiez {} par an au lieu de {}{period}", amount(to), amount(from)),
        });
    }
    for &(feature, from, to) in &proposal.changes {
        if matches!(name(feature), "AMT_CREDIT" | "AMT_GOODS_PRICE" | "AMT_ANNUITY") {
            continue;
        }
        let Some(description) = features.get(feature) else { continue };
        let shown = |value: f64| format_value(&FieldValue::Number(value), &description.unit, language);
        clauses.push(match language {
            Language::En => format!("changed “{}” to {} instead of {}", description.label_en, shown(to), shown(from)),
            Language::Fr => format!("passiez « {} » à {} au lieu de {}", description.label_fr, shown(to), shown(from)),
        });
    }
    let joined = match clauses.as_slice() {
        [] => match language {
            Language::En => "changed the loan as the bank proposes".to_string(),
            Language::Fr => "modifiiez le prêt comme la banque le propose".to_string(),
        },
        [only] => only.clone(),
        [init @ .., last] => {
            let and = match language {
                Language::En => " and ",
                Language::Fr => " et ",
            };
            format!("{}{and}{last}", init.join(", "))
        }
    };
    let probability = format_percent(proposal.probability, language);
    // Just under the limit, both may round to the same figure: say "just under" instead.
    let risk = match (language, probability == limit) {
        (Language::En, false) => {
            format!("the estimated risk would be {probability}, under the bank's limit of {limit}")
        }
        (Language::En, true) => format!("the estimated risk would be just under the bank's limit of {limit}"),
        (Language::Fr, false) => {
            format!("le risque estimé serait de {probability}, sous le seuil de la banque de {limit}")
        }
        (Language::Fr, true) => format!("le risque estimé passerait juste sous le seuil de la banque de {limit}"),
    };
    // A heavier yearly repayment is said plainly.
    let more = find("AMT_ANNUITY").filter(|&&(_, from, to)| to > from).map(|&(_, from, to)| amount(to - from));
    match (language, more) {
        (Language::En, None) => format!("If you {joined}, {risk}, and the application could then be accepted."),
        (Language::Fr, None) => format!("Si vous {joined}, {risk}, et la demande pourrait alors être acceptée."),
        (Language::En, Some(more)) => format!(
            "If you {joined}, {risk}, and the application could then be accepted. This change asks {more} more \
             each year than your current {}.",
            if revolving { "minimum payment" } else { "repayment" }
        ),
        (Language::Fr, Some(more)) => format!(
            "Si vous {joined}, {risk}, et la demande pourrait alors être acceptée. Cette modification demande \
             {more} de plus chaque année que votre {} actuel.",
            if revolving { "remboursement minimum" } else { "remboursement" }
        ),
    }
}

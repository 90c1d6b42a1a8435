//! The tabs of the client panel, one module each: its state, how its keys and clicks change
//! it, its layout, its texts and its drawing, behind the one [`Panel`] interface.
//!
//! # Adding a tab
//!
//! 1. Write `tabs/<name>.rs`: a struct with the tab's state that is `Default`, and
//!    `impl Panel` for it (its name, status-bar hints, help lines, `update` and `draw`). It
//!    reads the shared state through [`crate::tui::state::Context`] and asks for anything else
//!    (background work, the focus, Predict, Compare) by returning [`crate::tui::panel::Effect`]s.
//! 2. Add one line to the list at the bottom of this file. The tab then has its number key,
//!    its place in the tab bar, its hints, its help lines and its state in
//!    [`Tabs`] (reachable as `app.tabs.<name>`).
//!
//! A tab that loads something of its own in the background also needs its [`Command`] and
//! the [`Action`] that brings the answer back (in `command.rs`, `action.rs`, `tasks.rs`), and
//! one arm in `App::update` that hands the answer to it.
//!
//! Uses: panel, state, command, layout, strings, theme, widgets. Nothing here imports `app`,
//! `views`, `action` or `screens`, and nothing but those imports a tab.
//!
//! [`Command`]: crate::tui::command::Command
//! [`Action`]: crate::tui::action::Action

use ratatui::layout::Rect;

use super::panel::Panel;

/// Declares the tabs: their modules, the [`Tab`] enum in display order, the [`Tabs`] that
/// hold every tab's state, and the dispatch from one to the other.
macro_rules! tabs {
    ($($(#[doc = $doc:literal])+ $variant:ident => $module:ident::$panel:ident,)+) => {
        $(pub mod $module;)+

        /// A tab of the client panel.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Tab {
            $($(#[doc = $doc])+ $variant,)+
        }

        /// How many tabs there are.
        const COUNT: usize = [$(stringify!($variant)),+].len();

        impl Tab {
            /// Every tab, in display order.
            pub const ALL: [Tab; COUNT] = [$(Tab::$variant),+];

            /// The tab's name in the tab bar (after its number key).
            pub fn name(self) -> &'static str {
                match self {
                    $(Tab::$variant => <$module::$panel as Panel>::name(),)+
                }
            }

            /// The tab's name in a narrow tab bar.
            pub fn short_name(self) -> &'static str {
                match self {
                    $(Tab::$variant => <$module::$panel as Panel>::short_name(),)+
                }
            }

            /// The keys the status bar shows while the tab's content has the focus.
            pub fn hints(self) -> &'static [(&'static str, &'static str)] {
                match self {
                    $(Tab::$variant => <$module::$panel as Panel>::hints(),)+
                }
            }

            /// The tab's own keys, for the help overlay.
            pub fn help(self) -> &'static [(&'static str, &'static str)] {
                match self {
                    $(Tab::$variant => <$module::$panel as Panel>::help(),)+
                }
            }
        }

        /// Every tab's state.
        #[derive(Debug, Default)]
        pub struct Tabs {
            $(
                #[doc = concat!("The `", stringify!($variant), "` tab.")]
                pub $module: $module::$panel,
            )+
        }

        impl Tabs {
            /// A tab's state.
            pub fn get(&self, tab: Tab) -> &dyn Panel {
                match tab {
                    $(Tab::$variant => &self.$module,)+
                }
            }

            /// A tab's state, to change it.
            pub fn get_mut(&mut self, tab: Tab) -> &mut dyn Panel {
                match tab {
                    $(Tab::$variant => &mut self.$module,)+
                }
            }
        }
    };
}

tabs! {
    /// The decision, the probability against the threshold, the contributions.
    Decision => decision::DecisionTab,
    /// Every field of the client with its population percentile.
    ClientData => client_data::ClientDataTab,
    /// One feature's distribution in the reference population, the client marked.
    Compare => compare::CompareTab,
    /// Scores and global importance over all applicants.
    Portfolio => portfolio::PortfolioTab,
    /// The model card.
    Model => model::ModelTab,
    /// Drift of the applicants against the reference population.
    Drift => drift::DriftTab,
    /// The client's credits elsewhere, their monthly statuses, the card, the aggregates.
    CreditHistory => credit_history::CreditHistoryTab,
    /// The decisions by sex, age, family status and children.
    Fairness => fairness::FairnessTab,
    /// The selected client's recorded decisions.
    Journal => journal::JournalTab,
}

impl Tab {
    /// Position in [`Tab::ALL`].
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|&tab| tab == self).unwrap_or(0)
    }

    /// The tab `delta` places away, round the end.
    pub fn shifted(self, delta: isize) -> Tab {
        let n = Tab::ALL.len() as isize;
        Tab::ALL[(self.index() as isize + delta).rem_euclid(n) as usize]
    }

    /// The tab's title in the tab bar: its number key and name, or its short name in a
    /// narrow bar.
    pub fn title(self, short: bool) -> String {
        if short { self.short_name().to_string() } else { format!("{} {}", self.index() + 1, self.name()) }
    }
}

/// Whether the tab bar uses short titles without padding (below 70 columns).
pub fn narrow_tabs(tabs: Rect) -> bool {
    tabs.width < 70
}

/// The columns each tab title takes in the tab bar, padding included: `(tab, first column,
/// width)`. Titles are padded with a space each side, except in a narrow bar.
pub fn tab_positions(tabs: Rect) -> Vec<(Tab, u16, u16)> {
    let narrow = narrow_tabs(tabs);
    let padding = if narrow { 0 } else { 2 };
    let mut x = tabs.x;
    Tab::ALL
        .iter()
        .map(|&tab| {
            let width = tab.title(narrow).chars().count() as u16 + padding;
            let position = (tab, x, width);
            x = x.saturating_add(width + 1);
            position
        })
        .collect()
}

/// The tab whose title is at column `x` of the tab bar.
pub fn tab_at(tabs: Rect, x: u16) -> Option<Tab> {
    tab_positions(tabs).into_iter().find(|&(_, start, width)| x >= start && x < start + width).map(|(tab, _, _)| tab)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_are_found_where_their_titles_are() {
        let tabs = Rect::new(33, 1, 47, 1);
        let positions = tab_positions(tabs);
        // At 80 columns the short titles fit: the last one ends within the bar.
        let (_, start, width) = positions[4];
        assert!(start + width <= tabs.x + tabs.width);
        assert_eq!(positions.len(), Tab::ALL.len());
        let (tab, start, width) = positions[1];
        assert_eq!(tab_at(tabs, start), Some(tab));
        assert_eq!(tab_at(tabs, start + width - 1), Some(tab));
        assert_eq!(tab_at(tabs, start + width), None);
    }

    #[test]
    fn titles_carry_their_number_keys() {
        assert_eq!(Tab::Decision.title(false), "1 Decision");
        assert_eq!(Tab::ClientData.title(false), "2 Client data");
        assert_eq!(Tab::ClientData.title(true), "Data");
        assert_eq!(Tab::Drift.title(false), "6 Drift");
    }
}

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
//! `views`, `action`, `overlays` or the keymap's key handling.
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

    /// The tab's title in a tab bar of the given style.
    pub fn title(self, style: TitleStyle) -> String {
        let key = self.index() + 1;
        match style {
            TitleStyle::Full => format!("{key} {}", self.name()),
            TitleStyle::Short => format!("{key} {}", self.short_name()),
            TitleStyle::Name => self.short_name().to_string(),
            TitleStyle::Keys { active } if active == self => format!("{key} {}", self.short_name()),
            TitleStyle::Keys { .. } => key.to_string(),
        }
    }
}

/// How the tab bar writes its titles: the most telling style that fits its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleStyle {
    /// Number key and full name, padded with a space each side: "` 2 Client data `".
    Full,
    /// Number key and short name: "`2 Data`".
    Short,
    /// Short name alone: "`Data`".
    Name,
    /// Number keys alone, but the active tab's with its short name: "`1 2 Data 3`".
    Keys {
        /// The tab shown.
        active: Tab,
    },
}

impl TitleStyle {
    /// Columns of blank padding on each side of a title.
    pub fn padding(self) -> u16 {
        if self == TitleStyle::Full { 1 } else { 0 }
    }

    /// The most telling style whose titles, one column apart, fit in `width` columns.
    pub fn fitting(width: u16, active: Tab) -> TitleStyle {
        let keys = TitleStyle::Keys { active };
        [TitleStyle::Full, TitleStyle::Short, TitleStyle::Name]
            .into_iter()
            .find(|&style| bar_width(style) <= usize::from(width))
            .unwrap_or(keys)
    }
}

/// The columns all titles take in a style, with one column between two.
fn bar_width(style: TitleStyle) -> usize {
    let padding = 2 * usize::from(style.padding());
    Tab::ALL.iter().map(|tab| tab.title(style).chars().count() + padding).sum::<usize>() + Tab::ALL.len() - 1
}

/// The columns each tab title takes in the tab bar, padding included: `(tab, first column,
/// width)`, for the bar showing `active`.
pub fn tab_positions(tabs: Rect, active: Tab) -> Vec<(Tab, u16, u16)> {
    let style = TitleStyle::fitting(tabs.width, active);
    let padding = 2 * style.padding();
    let mut x = tabs.x;
    Tab::ALL
        .iter()
        .map(|&tab| {
            let width = tab.title(style).chars().count() as u16 + padding;
            let position = (tab, x, width);
            x = x.saturating_add(width + 1);
            position
        })
        .collect()
}

/// The tab whose title is at column `x` of the tab bar showing `active`.
pub fn tab_at(tabs: Rect, active: Tab, x: u16) -> Option<Tab> {
    tab_positions(tabs, active)
        .into_iter()
        .find(|&(_, start, width)| x >= start && x < start + width)
        .map(|(tab, _, _)| tab)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_are_found_where_their_titles_are() {
        // The tab bar of an 80-column terminal: 47 columns.
        let tabs = Rect::new(33, 1, 47, 1);
        let positions = tab_positions(tabs, Tab::Model);
        assert_eq!(positions.len(), Tab::ALL.len());
        // Every title ends within the bar.
        for &(_, start, width) in &positions {
            assert!(start + width <= tabs.x + tabs.width, "{positions:?}");
        }
        let (tab, start, width) = positions[1];
        assert_eq!(tab_at(tabs, Tab::Model, start), Some(tab));
        assert_eq!(tab_at(tabs, Tab::Model, start + width - 1), Some(tab));
        assert_eq!(tab_at(tabs, Tab::Model, start + width), None);
    }

    #[test]
    fn the_bar_writes_the_most_it_can_fit() {
        // "1 Decision" … "9 Journal" padded: 10+13+9+11+7+7+16+10+9 = 92, + 18 padding + 8 gaps.
        assert_eq!(TitleStyle::fitting(118, Tab::Decision), TitleStyle::Full);
        assert_eq!(TitleStyle::fitting(117, Tab::Decision), TitleStyle::Short);
        // "1 Decision 2 Data 3 Compare 4 Portfolio 5 Model 6 Drift 7 History 8 Fairness 9 Journal"
        // 10+6+9+11+7+7+9+10+9 = 78, + 8 gaps.
        assert_eq!(TitleStyle::fitting(86, Tab::Decision), TitleStyle::Short);
        assert_eq!(TitleStyle::fitting(85, Tab::Decision), TitleStyle::Name);
        // "Decision Data Compare Portfolio Model Drift History Fairness Journal": 60, + 8 gaps.
        assert_eq!(TitleStyle::fitting(68, Tab::Decision), TitleStyle::Name);
        let keys = TitleStyle::fitting(67, Tab::Drift);
        assert_eq!(keys, TitleStyle::Keys { active: Tab::Drift });
        let bar: Vec<String> = Tab::ALL.iter().map(|tab| tab.title(keys)).collect();
        assert_eq!(bar.join(" "), "1 2 3 4 5 6 Drift 7 8 9");
    }

    #[test]
    fn titles_carry_their_number_keys() {
        assert_eq!(Tab::Decision.title(TitleStyle::Full), "1 Decision");
        assert_eq!(Tab::ClientData.title(TitleStyle::Full), "2 Client data");
        assert_eq!(Tab::ClientData.title(TitleStyle::Short), "2 Data");
        assert_eq!(Tab::ClientData.title(TitleStyle::Name), "Data");
        assert_eq!(Tab::Drift.title(TitleStyle::Full), "6 Drift");
    }
}

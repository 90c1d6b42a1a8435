//! Every key binding of the dashboard by name, with its default keys: the one list that
//! `keys.toml` patches, that the key handlers ask, and that hints and help are written from.
//!
//! Uses: nothing. The names are those of `keys.toml`; the defaults are written as that file
//! writes keys (see [`super::key::KeyPress::parse`]).

/// Declares the bindings: the [`Bind`] enum, each one's name in `keys.toml` and its keys by
/// default, in the order hints show them (the first is the one a hint names).
macro_rules! binds {
    ($($(#[doc = $doc:literal])+ $variant:ident $name:literal [$($key:literal),+],)+) => {
        /// A named key binding: what a key does somewhere in the dashboard.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Bind {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl Bind {
            /// Every binding, in the order of this list.
            pub const ALL: &'static [Bind] = &[$(Bind::$variant),+];

            /// The binding's name in `keys.toml` and in hint templates.
            pub fn name(self) -> &'static str {
                match self {
                    $(Bind::$variant => $name,)+
                }
            }

            /// The binding's keys when `keys.toml` does not name it.
            pub fn defaults(self) -> &'static [&'static str] {
                match self {
                    $(Bind::$variant => &[$($key),+],)+
                }
            }

            /// What the binding does, for the README and error messages.
            pub fn doc(self) -> &'static str {
                match self {
                    $(Bind::$variant => concat!($($doc),+),)+
                }
            }
        }
    };
}

binds! {
    /// Quit from anywhere, even while typing.
    QuitNow "quit_now" ["Ctrl-c", "Ctrl-C"],
    /// Quit (from the client list or a tab).
    Quit "quit" ["q"],
    /// Previous client, feature or line.
    Up "up" ["Up", "k"],
    /// Next client, feature or line.
    Down "down" ["Down", "j"],
    /// A page up.
    PageUp "page_up" ["PgUp"],
    /// A page down.
    PageDown "page_down" ["PgDn"],
    /// First client or line.
    First "first" ["g", "Home"],
    /// Last client or line.
    Last "last" ["G", "End"],
    /// Predict the selected client.
    Predict "predict" ["p", "Enter"],
    /// Compare the feature under a tab's cursor with the population.
    Compare "compare" ["Enter"],
    /// Next tab.
    NextTab "next_tab" ["Tab"],
    /// Previous tab.
    PreviousTab "previous_tab" ["Shift-Tab"],
    /// Change the order of a tab's table.
    Sort "sort" ["s"],
    /// Open the customer view.
    Customer "customer" ["c"],
    /// Open the what-if form.
    WhatIf "what_if" ["w"],
    /// Export the customer sheet.
    Export "export" ["x"],
    /// Record the final decision.
    Record "record" ["d"],
    /// Open the reviewer's desk.
    Review "review" ["R"],
    /// Record a customer's contest.
    Contest "contest" ["C"],
    /// Move the focus into the tab's content.
    FocusPanel "focus_panel" ["Right", "l"],
    /// Move the focus back to the client list.
    FocusClients "focus_clients" ["Left", "h"],
    /// Search the clients.
    Search "search" ["/"],
    /// Open the help.
    Help "help" ["?"],
    /// Close, cancel, clear the search, or return to the client list.
    Back "back" ["Esc"],
    /// Keep the search, record a form, or end what is typed.
    Submit "submit" ["Enter"],
    /// Delete the last character typed.
    DeleteChar "delete_char" ["Backspace"],
    /// Previous client while searching.
    SearchUp "search_up" ["Up"],
    /// Next client while searching.
    SearchDown "search_down" ["Down"],
    /// Close the help.
    HelpClose "help_close" ["Esc", "?", "q", "Enter"],
    /// Switch the customer view's language.
    CustomerLanguage "customer_language" ["l", "L"],
    /// Close the customer view.
    CustomerClose "customer_close" ["Esc", "c", "q", "Backspace"],
    /// Previous what-if field.
    WhatIfPrevious "what_if_previous" ["Up", "Shift-Tab"],
    /// Next what-if field.
    WhatIfNext "what_if_next" ["Down", "Tab", "Enter"],
    /// Put every what-if field back to the client's own value.
    WhatIfReset "what_if_reset" ["r", "R"],
    /// Switch the record form between the proposed decision and its override.
    RecordToggle "record_toggle" ["Tab", "Shift-Tab"],
    /// Previous override reason.
    RecordReasonUp "record_reason_up" ["Up"],
    /// Next override reason.
    RecordReasonDown "record_reason_down" ["Down"],
    /// Next contest channel.
    ContestChannelNext "contest_channel_next" ["Tab", "Down"],
    /// Previous contest channel.
    ContestChannelPrevious "contest_channel_previous" ["Shift-Tab", "Up"],
    /// Close the reviewer's desk.
    ReviewClose "review_close" ["Esc", "q"],
    /// Load the reviewers' queue again.
    ReviewReload "review_reload" ["g"],
    /// Open the contest under the cursor for its review.
    ReviewOpen "review_open" ["Enter"],
    /// Correct the input under the cursor.
    ReviewCorrect "review_correct" ["e", "Enter"],
    /// Undo the correction of the input under the cursor.
    ReviewUndo "review_undo" ["z"],
    /// The review upholds the decision.
    ReviewUpheld "review_upheld" ["u"],
    /// The review overturns the decision.
    ReviewOverturned "review_overturned" ["o"],
    /// Type the review's justification.
    ReviewJustify "review_justify" ["t"],
    /// Record the review.
    ReviewRecord "review_record" ["r"],
    /// Quit although a decision is not recorded.
    ConfirmQuit "confirm_quit" ["q", "y"],
    /// Stay in the dashboard rather than quit.
    ConfirmStay "confirm_stay" ["Esc", "n"],
}

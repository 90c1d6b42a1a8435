//! The overlays, one module each: its state, how its keys change it, its drawing, its hints
//! and its texts, behind the one [`Layer`] interface (the twin of the tabs' [`Panel`]).
//!
//! # Adding an overlay
//!
//! 1. Write `overlays/<name>.rs`: a struct with the overlay's state and `impl Layer` for it
//!    (how it opens over the shared state, its mode, where it is drawn, the bindings it
//!    answers, its hints, `update` and `draw`). It reads the shared state through
//!    [`crate::tui::state::Context`] and asks for anything else (background work, the status
//!    bar, closing) by returning [`crate::tui::overlay::Effect`]s.
//! 2. Add one line to the list at the bottom of this file, with the binding that opens it
//!    (a new binding is one line in [`crate::tui::keymap::binds`] and one row of the README's
//!    keys table; a new [`Mode`] one line in `state.rs`). The overlay then opens on its key,
//!    gets the keys it answers, draws, shows its hints, and is reachable as
//!    `app.overlays.<name>()`.
//!
//! An overlay that waits for background work also needs the [`Action`] that brings the
//! answer back and one arm in `App::update` that hands it over.
//!
//! Uses: overlay, state, command, keymap, layout, strings, theme, widgets, tabs' shared
//! helpers. Nothing here imports `app`, `views` or `action`.
//!
//! [`Panel`]: crate::tui::panel::Panel
//! [`Mode`]: crate::tui::state::Mode
//! [`Action`]: crate::tui::action::Action

use super::keymap::binds::Bind;
use super::overlay::{Effect, Layer};
use super::state::Context;

/// Declares the overlays: their modules, the [`Overlay`] enum holding an open one's state,
/// the [`Kind`] that names one, the binding that opens it, and the accessors of [`Overlays`].
macro_rules! overlays {
    ($($(#[doc = $doc:literal])+ $variant:ident => $module:ident::$state:ident $(by $bind:ident)?,)+) => {
        $(pub mod $module;)+

        /// An open overlay and its state (boxed: the reviewer's desk is large, and an overlay
        /// opens once per key press at most).
        #[derive(Debug)]
        pub enum Overlay {
            $($(#[doc = $doc])+ $variant(Box<$module::$state>),)+
        }

        /// Which overlay (what opening one names).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Kind {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl Kind {
            /// Every overlay.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),+];

            /// The binding that opens the overlay from the client list or a tab, if one does.
            pub fn opened_by(self) -> Option<Bind> {
                match self {
                    $(Kind::$variant => None $(.or(Some(Bind::$bind)))?,)+
                }
            }
        }

        impl Overlay {
            /// Opens an overlay over the shared state, with the work it starts; `Err` says
            /// why it cannot open now.
            pub fn open(kind: Kind, context: &Context<'_>) -> Result<(Overlay, Vec<Effect>), String> {
                match kind {
                    $(Kind::$variant => {
                        let (state, effects) = <$module::$state as Layer>::open(context)?;
                        Ok((Overlay::$variant(Box::new(state)), effects))
                    })+
                }
            }

            /// Which overlay this is.
            pub fn kind(&self) -> Kind {
                match self {
                    $(Overlay::$variant(_) => Kind::$variant,)+
                }
            }

            /// The overlay behind its interface.
            pub fn layer(&self) -> &dyn Layer {
                match self {
                    $(Overlay::$variant(state) => &**state,)+
                }
            }

            /// The overlay behind its interface, to change it.
            pub fn layer_mut(&mut self) -> &mut dyn Layer {
                match self {
                    $(Overlay::$variant(state) => &mut **state,)+
                }
            }
        }

        impl Overlays {
            $(
                #[doc = concat!("The open `", stringify!($variant), "` overlay, if it is open.")]
                pub fn $module(&self) -> Option<&$module::$state> {
                    self.stack.iter().rev().find_map(|overlay| match overlay {
                        Overlay::$variant(state) => Some(&**state),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    })
                }
            )+
        }

        /// Changing the open overlays' state, by overlay.
        pub mod open_mut {
            use super::{Overlay, Overlays};
            $(
                #[doc = concat!("The open `", stringify!($variant), "` overlay, to change it.")]
                pub fn $module(overlays: &mut Overlays) -> Option<&mut super::$module::$state> {
                    overlays.stack.iter_mut().rev().find_map(|overlay| match overlay {
                        Overlay::$variant(state) => Some(&mut **state),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    })
                }
            )+
        }
    };
}

/// The open overlays, the top one last: it gets the keys and is drawn last.
#[derive(Debug, Default)]
pub struct Overlays {
    stack: Vec<Overlay>,
}

impl Overlays {
    /// The overlay on top, if any is open.
    pub fn top(&self) -> Option<&Overlay> {
        self.stack.last()
    }

    /// Puts an overlay on top.
    pub fn push(&mut self, overlay: Overlay) {
        self.stack.push(overlay);
    }

    /// Closes the top overlay.
    pub fn pop(&mut self) -> Option<Overlay> {
        self.stack.pop()
    }

    /// Closes every overlay.
    pub fn clear(&mut self) {
        self.stack.clear();
    }

    /// Whether no overlay is open.
    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }
}

overlays! {
    /// Every key and what the numbers mean.
    Help => help::Help by Help,
    /// The decision explained full screen, in the customer's language.
    Customer => customer::CustomerView by Customer,
    /// Other amounts for the selected client, scored at once.
    WhatIf => what_if::WhatIfForm by WhatIf,
    /// The RM's final decision on the shown prediction.
    Record => record::RecordForm by Record,
    /// A customer's contest of a recorded decision.
    Contest => contest::ContestForm by Contest,
    /// The contests waiting for a review, one opened for its review.
    Review => review::ReviewDesk by Review,
    /// Quitting would lose a decision not yet recorded: asking first.
    ConfirmQuit => confirm_quit::ConfirmQuit,
}

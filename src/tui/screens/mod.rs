//! The full-screen views and overlays, one module each with its keys, its drawing and its
//! texts: the customer view, the what-if form, the record form and the help. Their state (scroll, the form)
//! is the dashboard's while they are open; they read the rest through a
//! [`super::state::Context`].
//!
//! Uses: action, command, panel, state, strings, tabs, widgets. Nothing here imports `app`
//! or `views`.

pub mod contest;
pub mod customer;
pub mod help;
pub mod record;
pub mod review;
pub mod what_if;

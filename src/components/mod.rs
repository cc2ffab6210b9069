//! Pieces shared by several pages.

pub mod article_view;
pub mod error_text;
pub mod field;
pub mod focus;
pub mod guard;
pub mod icons;
pub mod idle_sign_out;
pub mod language_picker;
pub mod notices;
pub mod page;
pub mod shell;

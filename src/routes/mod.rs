//! One page per file.

pub mod account;
pub mod article;
pub mod ask;
pub mod home;
pub mod learn;
pub mod my_inquiries;
pub mod not_found;
pub mod privacy;
pub mod reminders;
pub mod sign_in;
pub mod studio;
pub mod studio_editor;

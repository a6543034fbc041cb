//! integridad: markdown chapters and YAML sector checklists become a bilingual static site.
pub mod diagnostics;
pub mod lang;
mod yaml;

#[allow(dead_code)]
pub(crate) mod checklist;
#[allow(dead_code)]
pub(crate) mod markdown;

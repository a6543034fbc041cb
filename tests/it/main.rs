//! Integration tests: each builds a small fixture site and asserts on output and diagnostics.
mod build;
mod bundled;
mod checklist;
mod cli;
mod content;
mod drafts;
mod harness;
mod home;
mod init;
mod integrity;
mod links;
mod messages;
mod new;
mod output;
mod readme;
mod serve;
mod translations;

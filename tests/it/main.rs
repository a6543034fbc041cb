//! Integration tests: each builds a small fixture site and asserts on output and diagnostics.
mod build;
mod bundle;
mod bundled;
mod checklist;
mod cli;
mod content;
mod handbook;
mod harness;
mod hostile;
mod integrity;
mod links;
mod new;
mod output;
mod remote;
mod serve;

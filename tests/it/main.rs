//! Integration tests: each builds a small fixture site and asserts on output and diagnostics.
mod build;
mod bundled;
mod checklist;
mod cli;
mod content;
mod fuzz;
mod harness;
mod integrity;
mod links;
mod new;
mod output;
mod serve;

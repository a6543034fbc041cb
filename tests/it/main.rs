//! Integration tests: each builds a small fixture site and asserts on output and diagnostics.
mod build;
mod bundle;
mod bundled;
mod carets;
mod checklist;
mod cli;
mod content;
mod downloads;
mod drafts;
mod fuzz;
mod handbook;
mod harness;
mod home;
mod hostile;
mod init;
mod integrity;
// Kills builds with signals.
#[cfg(unix)]
mod kill;
mod laws;
mod links;
#[allow(dead_code)]
#[path = "../support/machine.rs"]
mod machine;
mod messages;
mod new;
mod output;
mod portable;
mod progress;
mod readme;
mod remote;
mod report;
mod search;
mod serve;
mod session;
mod statics;
mod terms;
mod translations;
// Plants symlinks and FIFOs, and reads inodes and change times.
#[cfg(unix)]
mod trust;

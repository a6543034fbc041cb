//! Fuzz target: `integridad::fuzzing::checklist` must return normally for any input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| integridad::fuzzing::checklist(data));

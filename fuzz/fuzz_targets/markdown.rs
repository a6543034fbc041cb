//! Fuzz target: `integridad::fuzzing::markdown` must return normally for any input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| integridad::fuzzing::markdown(data));

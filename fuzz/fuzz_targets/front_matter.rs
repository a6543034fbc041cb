//! Fuzz target: `integridad::fuzzing::front_matter` must return normally for any input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| integridad::fuzzing::front_matter(data));

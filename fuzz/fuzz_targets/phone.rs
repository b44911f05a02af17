#![no_main]
//! `outpost_fuzz_targets::phone` under libFuzzer.

libfuzzer_sys::fuzz_target!(|data: &[u8]| outpost_fuzz_targets::phone(data));

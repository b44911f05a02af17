#![no_main]
//! `outpost_fuzz_targets::rest_body` under libFuzzer.

libfuzzer_sys::fuzz_target!(|data: &[u8]| outpost_fuzz_targets::rest_body(data));

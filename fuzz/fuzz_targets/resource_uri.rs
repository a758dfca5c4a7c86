#![no_main]

#[path = "harness.rs"]
mod harness;
#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::resource_uri(data));

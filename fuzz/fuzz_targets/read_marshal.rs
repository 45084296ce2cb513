//! Arbitrary marshal streams: the first byte picks the version, the rest is read.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = pycopt_fuzz::checks::check_marshal(data);
});

//! The worker message decoder: arbitrary bytes must decode to a message or a `CodecError`, never
//! panic (or allocate without bound); a decoded message must re-encode and decode to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netsift::worker::protocol::{decode, encode, RequestMsg, ResponseMsg};

fn round_trip<T>(data: &[u8])
where
    T: serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug,
{
    if let Ok(msg) = decode::<T>(data) {
        let bytes = encode(&msg).expect("a decoded message re-encodes");
        let again = decode::<T>(&bytes).expect("a re-encoded message decodes");
        assert_eq!(
            format!("{msg:?}"),
            format!("{again:?}"),
            "round trip changed the message"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<RequestMsg>(data);
    round_trip::<ResponseMsg>(data);
});

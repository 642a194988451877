//! Helpers shared by the fuzz targets: the control prefix and fuzzer-chosen chunking.
//!
//! Every target reads its input as `[c0 c1 c2 c3] payload`: `c0` picks options, `c1..c3` the
//! chunk sizes the payload is pushed in (so the fuzzer explores chunk boundaries too). Inputs
//! shorter than the prefix are a zero prefix and the whole input as payload.

/// Length of the control prefix.
pub const PREFIX: usize = 4;

/// Splits an input into its control bytes and payload.
pub fn split_control(data: &[u8]) -> ([u8; PREFIX], &[u8]) {
    if data.len() < PREFIX {
        return ([0; PREFIX], data);
    }
    let mut ctl = [0u8; PREFIX];
    ctl.copy_from_slice(&data[..PREFIX]);
    (ctl, &data[PREFIX..])
}

/// Chunk sizes cycling through three fuzzer-chosen lengths: 1..=64, 1..=256 and 1..=4081 bytes
/// (one-byte pushes, record-sized and page-sized pieces all reachable).
pub fn chunk_sizes(ctl: [u8; PREFIX]) -> [usize; 3] {
    [
        usize::from(ctl[1] % 64) + 1,
        usize::from(ctl[2]) + 1,
        usize::from(ctl[3]) * 16 + 1,
    ]
}

/// The payload cut into consecutive chunks of the sizes from [`chunk_sizes`], in a cycle.
pub fn chunks(payload: &[u8], ctl: [u8; PREFIX]) -> Vec<&[u8]> {
    let sizes = chunk_sizes(ctl);
    let mut out = Vec::new();
    let mut rest = payload;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].min(rest.len());
        let (a, b) = rest.split_at(n);
        out.push(a);
        rest = b;
        i += 1;
    }
    out
}

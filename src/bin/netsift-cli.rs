//! netsift-cli: the engine on the command line (to be written).

fn main() {}

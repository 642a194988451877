//! Native integration tests of the engine, one module per area.

mod pcap;

//! ensemble tests.
use netsift as _;

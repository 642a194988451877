//! generate tests.
use netsift as _;

//! features tests.
use netsift as _;

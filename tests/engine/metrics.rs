//! metrics tests.
use netsift as _;

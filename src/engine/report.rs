//! Exports: anomalies as formula-safe CSV, the whole result as JSON. (To be implemented.)

//! Interpreter discovery and corpora (being written).

//! Smith-Waterman local alignment of sessions against flows (being built).

// Package recheck holds what a verdict claims — the classification of a
// point (Verdict, VerdictKind), its per-neuron report and its certificate
// (Certificate and its parts) — for the independent checker that validates
// it by substitution and exact evaluation.
//
// The package imports only the plain arithmetic of package exact and the
// network of package network: never the simplex, the arrangement
// enumeration or the search of package verify (a test enforces it), so a
// bug in the search cannot certify itself.
package recheck

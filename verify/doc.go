// Package verify implements the theory of docs/theory.md §1–5 for one-hidden-layer
// networks f_θ(x) = Σ_j a_j ρ(w_j·x) with a ReLU-like activation ρ and the
// empirical squared loss L(θ) = (1/2n) Σ_i |f_θ(x_i) − y_i|²:
// activation patterns, the output-weight gradients G_j, the response maps
// Q_j and directional derivatives φ_j, Theorem S (stationarity), escape
// neurons, Theorem M (no escape ⇒ local minimum), Theorem E (escape ⇒ saddle,
// with an explicit decreasing path), the k ≥ 2 tests, verdicts, certificates
// and their independent re-check, and network embedding.
//
// Every decision is made in exact rational arithmetic (package exact). The
// package does no I/O.
package verify

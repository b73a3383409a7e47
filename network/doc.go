// Package network holds the objects everything else is about (docs/theory.md
// §1): a ReLU-like activation ρ with rational slopes, a one-hidden-layer
// network θ = (w_j, a_j)_j with f_θ(x) = Σ_j a_j ρ(w_j·x), the data set it is
// trained on (a Point), and perturbations Δ of θ (a Direction). It holds no
// decision procedure.
package network

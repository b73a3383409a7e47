// Package descent is the float64 training path of relucert train (docs/theory.md §7):
// full-batch gradient descent on a one-hidden-layer ReLU-like network
// f_θ(x) = Σ_j a_j ρ(w_j·x) from small initialisation, with the loss recorded
// at every step, plateau detection, snapshots of θ at the plateaus, the
// escape rate of the zero neurons with the plateau length it predicts, and
// plots of the loss curve and of the neurons' directions.
//
// Conventions (they match PyTorch, so that runs are comparable with the
// paper's):
//   - The loss is PyTorch's mse_loss, the mean of the n·k squared entries of
//     the residual, by default (MSE); HalfN selects docs/theory.md §1's
//     (1/2n) Σ_i |f(x_i) − y_i|². The two differ by the constant k/2.
//   - ρ'(0) = ρ₋: a pre-activation that is exactly zero takes the slope of
//     the negative side. This is what PyTorch's backward passes of relu
//     (threshold_backward: grad·[z > 0]) and leaky_relu (z > 0 ? grad :
//     grad·slope) do. (torch.abs uses sign(0) = 0 instead; for the absolute
//     value this package uses ρ₋ = −1 at 0.) At a pre-activation that is
//     exactly zero the loss is not differentiable, and the value is a
//     convention only; random initialisation makes it a null event.
//   - Initialisation: every entry of W (m×d) and A (m×k) is N(0,1)·β with
//     β = width^μ, drawn from math/rand/v2's PCG seeded with (seed, 0), W
//     row by row first, then A.
//   - One step is θ ← θ − η∇L(θ); the recorded loss of step t is L(θ_t),
//     before the t-th update (what a PyTorch loop logs), t = 0…steps.
//
// The inner loop works on plain []float64 slices with buffers allocated
// once per run: at the reference size (n = 5, d = 2, m = 50, k = 1) one step
// is about 3000 floating-point operations, and the per-call overhead and
// allocations of gonum/mat products would cost more than the arithmetic.
// gonum/mat is used at the edges (Params exposes W and A as *mat.Dense).
package descent

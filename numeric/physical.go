package numeric

import (
	"fmt"

	"github.com/relucert/relucert/verify"
)

// Dense is a point in float64, every matrix a flat row-major slice: the
// least any method must hold to evaluate the network. It is the yardstick of
// "relucert bench --physical" (issue 15): LossGradient is one forward and
// one backward pass written as plain loops, the work of one step of
// gradient descent.
type Dense struct {
	N, D, M, K int
	// X is n×d, Y n×k, W m×d, A m×k; B holds the output bias (k entries,
	// nil without one).
	X, Y, W, A, B []float64
	// Pos and Neg are the slopes ρ₊ and ρ₋.
	Pos, Neg float64
}

// NewDense converts p to float64 (rounding to nearest). It fails when p is
// malformed or a number is not finite in float64.
func NewDense(p *verify.Point) (*Dense, error) {
	if p == nil {
		return nil, fmt.Errorf("numeric: nil point")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	n, d, m, k := p.N(), p.D(), p.M(), p.K()
	q := &Dense{N: n, D: d, M: m, K: k}
	var err error
	if q.Pos, err = ratFloat(p.Act.Pos, "activation.pos"); err != nil {
		return nil, err
	}
	if q.Neg, err = ratFloat(p.Act.Neg, "activation.neg"); err != nil {
		return nil, err
	}
	flat := func(rows int, name string, width int, get func(int) ([]float64, error)) ([]float64, error) {
		out := make([]float64, 0, rows*width)
		for i := range rows {
			f, err := get(i)
			if err != nil {
				return nil, err
			}
			out = append(out, f...)
		}
		return out, nil
	}
	if q.X, err = flat(n, "inputs", d, func(i int) ([]float64, error) { return rowFloats(p.X, "inputs", i) }); err != nil {
		return nil, err
	}
	if q.Y, err = flat(n, "targets", k, func(i int) ([]float64, error) { return rowFloats(p.Y, "targets", i) }); err != nil {
		return nil, err
	}
	if q.W, err = flat(m, "neurons.w", d, func(j int) ([]float64, error) { return toFloats(p.Neurons[j].W, "neurons.w", j) }); err != nil {
		return nil, err
	}
	if q.A, err = flat(m, "neurons.a", k, func(j int) ([]float64, error) { return toFloats(p.Neurons[j].A, "neurons.a", j) }); err != nil {
		return nil, err
	}
	if p.HasOutputBias() {
		if q.B, err = toFloats(p.OutputBias, "output_bias", 0); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// Bytes is the size of the point's numbers in float64: 8(nd + nk + md + mk
// + len(B)) bytes.
func (q *Dense) Bytes() int64 {
	return 8 * int64(len(q.X)+len(q.Y)+len(q.W)+len(q.A)+len(q.B))
}

// LossGradient returns L = (1/2n) Σ_i |f(x_i) − y_i|² and writes ∂L/∂W
// (m×d) into gw, ∂L/∂A (m×k) into ga and, with an output bias, ∂L/∂b into
// gb (ρ'(0) = ρ₋). It is one pass over the samples on one core: per sample
// the m pre-activations (m·d multiply-adds), the output, the residual, and
// the gradient contributions (m·k + m·d multiply-adds); the scratch is O(m).
// gw, ga must have m·d and m·k entries, gb k (or be nil without an output
// bias).
func (q *Dense) LossGradient(gw, ga, gb []float64) float64 {
	n, d, m, k := q.N, q.D, q.M, q.K
	clear(gw)
	clear(ga)
	clear(gb)
	z := make([]float64, m) // pre-activations of one sample
	r := make([]float64, k)
	sumsq := 0.0
	inv := 1 / float64(n)
	for i := 0; i < n; i++ {
		x := q.X[i*d : i*d+d]
		y := q.Y[i*k : i*k+k]
		if q.B != nil {
			copy(r, q.B)
		} else {
			clear(r)
		}
		for j := 0; j < m; j++ {
			w := q.W[j*d : j*d+d]
			s := 0.0
			for c, xc := range x {
				s += w[c] * xc
			}
			z[j] = s
			h := q.Neg * s
			if s > 0 {
				h = q.Pos * s
			}
			a := q.A[j*k : j*k+k]
			for o := range r {
				r[o] += a[o] * h
			}
		}
		for o := range r {
			r[o] -= y[o]
			sumsq += r[o] * r[o]
			r[o] *= inv // ∂L/∂f(x_i)
		}
		for o := range gb {
			gb[o] += r[o]
		}
		for j := 0; j < m; j++ {
			s, slope := z[j], q.Neg
			if s > 0 {
				slope = q.Pos
			}
			a := q.A[j*k : j*k+k]
			g := ga[j*k : j*k+k]
			ar := 0.0
			for o := range r {
				g[o] += r[o] * slope * s
				ar += a[o] * r[o]
			}
			if ar *= slope; ar != 0 {
				gwj := gw[j*d : j*d+d]
				for c, xc := range x {
					gwj[c] += ar * xc
				}
			}
		}
	}
	return sumsq / (2 * float64(n))
}

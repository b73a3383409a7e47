package recheck

import (
	"fmt"
	"math/big"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/network"
)

// Recheck validates the certificate of v for the point p independently of
// the search that produced it: by substitution and exact evaluation of the
// network, its loss and the definitions of G_j and Q_j only. It calls no LP
// and no arrangement code. It checks
//   - the loss L(θ);
//   - not-stationary: the descent direction's derivative and its decreasing
//     segment;
//   - saddle: (S1) for every neuron, each (S2) cell proof, each escape
//     witness (φ_j(u) = 0, Q_j(u) ≠ 0) and the decreasing segment;
//   - local-min / global-min: (S1), the (S2) cell proofs, and Q_j ≡ 0 for
//     every neuron with a_j = 0 by E1/E2 re-evaluated (and L = 0 for
//     global-min).
//
// The zero tests (the residuals against the definition, (S1), the (S2)
// vector against the cell proofs, (E1), the escape witnesses' Q_j(u)) are
// decided by multi-modular arithmetic with rigorous bounds, independently
// of the integer engine Check uses (recheckfast.go).
//
// What it cannot check without re-running the search is said in the doc of
// Certificate: that the listed cells cover the arrangement, and the absence
// of escape for a_j ≠ 0 neurons when k ≥ 2.
func Recheck(p *network.Point, v *Verdict) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if v == nil || v.Cert == nil {
		return fmt.Errorf("no certificate")
	}
	rc, err := newRechecker(p)
	if err != nil {
		return err
	}
	if v.Loss == nil || rc.loss.Cmp(v.Loss) != 0 {
		return fmt.Errorf("loss: certificate says %v, direct evaluation gives %s", v.Loss, rc.loss.RatString())
	}
	c := v.Cert
	switch v.Kind {
	case NotStationary:
		if c.Descent == nil || c.Descent.Path == nil {
			return fmt.Errorf("not-stationary: no descent direction")
		}
		return recheckDescent(rc, c.Descent)
	case Saddle:
		if err := rc.stationarity(c.Stationarity); err != nil {
			return err
		}
		if len(c.Escapes) == 0 {
			return fmt.Errorf("saddle: no escape witness")
		}
		if err := recheckEscapes(rc, v.Escape, c.Escapes); err != nil {
			return err
		}
		if c.Path == nil {
			return fmt.Errorf("saddle: no decreasing path")
		}
		_, err = recheckPath(rc, c.Path)
		return err
	case LocalMin, GlobalMin:
		if err := rc.stationarity(c.Stationarity); err != nil {
			return err
		}
		if len(v.Escape) > 0 || len(c.Escapes) > 0 || c.Path != nil {
			return fmt.Errorf("%v with escape neurons or a decreasing path", v.Kind)
		}
		noEscape := map[int]*NoEscapeProof{}
		for k := range c.NoEscape {
			noEscape[c.NoEscape[k].Neuron] = &c.NoEscape[k]
		}
		for j, nr := range p.Neurons {
			switch {
			case nr.A.IsZero():
				if !rc.e1Vanishes(j) || (p.Act.Kappa().Sign() != 0 && !rc.e2Vanishes(j)) {
					return fmt.Errorf("neurons[%d]: a_j = 0 but Q_j ≢ 0 (E1/E2): it escapes", j)
				}
			case p.K() > 1:
				pr := noEscape[j]
				if pr == nil || len(pr.Cells) == 0 {
					return fmt.Errorf("neurons[%d]: a_j ≠ 0 and k = %d but no proof that it does not escape", j, p.K())
				}
				for ci, fp := range pr.Cells {
					if err := recheckFace(rc, j, fp); err != nil {
						return fmt.Errorf("neurons[%d]: no-escape cell %d: %w", j, ci, err)
					}
				}
			}
		}
		if v.Kind == GlobalMin && v.Loss.Sign() != 0 {
			return fmt.Errorf("global-min with L = %s ≠ 0", v.Loss.RatString())
		}
		return nil
	case Undetermined:
		if v.Stationary {
			if err := rc.s0Holds(); err != nil {
				return err
			}
		}
		if len(c.Stationarity) > 0 && v.Stationary {
			if err := rc.stationarity(c.Stationarity); err != nil {
				return err
			}
		}
		return recheckEscapes(rc, v.Escape, c.Escapes)
	}
	return fmt.Errorf("unknown verdict %v", v.Kind)
}

func recheckDescent(rc *rechecker, d *Descent) error {
	p := rc.p
	if err := checkShape(p, d.Delta); err != nil {
		return fmt.Errorf("descent: %w", err)
	}
	if d.Derivative == nil || d.Derivative.Sign() >= 0 {
		return fmt.Errorf("descent: derivative %v is not negative", d.Derivative)
	}
	if err := checkBiasShape(p, d.Bias); err != nil {
		return fmt.Errorf("descent: %w", err)
	}
	poly, err := recheckPath(rc, d.Path)
	if err != nil {
		return err
	}
	// (Path.Delta, Path.Bias) must be t·(Delta, Bias) for one t > 0; its
	// loss polynomial's linear coefficient is then t·L'(θ; (Delta, Bias)).
	var t *big.Rat
	pairs := [][2]exact.Vec{{d.Bias, d.Path.Bias}}
	if d.Bias == nil || d.Path.Bias == nil {
		if d.Bias != nil || d.Path.Bias != nil {
			return fmt.Errorf("descent: path is not along the descent direction (output bias)")
		}
		pairs = nil
	}
	for j := range d.Delta {
		pairs = append(pairs, [2]exact.Vec{d.Delta[j].W, d.Path.Delta[j].W}, [2]exact.Vec{d.Delta[j].A, d.Path.Delta[j].A})
	}
	for _, pair := range pairs {
		for c := range pair[0] {
			a, b := pair[0][c], pair[1][c]
			if a.Sign() == 0 {
				if b.Sign() != 0 {
					return fmt.Errorf("descent: path is not along the descent direction")
				}
				continue
			}
			q := new(big.Rat).Quo(b, a)
			if t == nil {
				t = q
			} else if t.Cmp(q) != 0 {
				return fmt.Errorf("descent: path is not along the descent direction")
			}
		}
	}
	if t == nil || t.Sign() <= 0 {
		return fmt.Errorf("descent: zero or reversed direction")
	}
	want := new(big.Rat).Mul(t, d.Derivative)
	if poly[1].Cmp(want) != 0 {
		return fmt.Errorf("descent: L'(θ; Δ) is %s by evaluation, certificate says %s", new(big.Rat).Quo(poly[1], t).RatString(), d.Derivative.RatString())
	}
	return nil
}

// checkBiasShape checks a move db of the output bias: nil, or k entries on
// a point with an output bias.
func checkBiasShape(p *network.Point, db exact.Vec) error {
	if db == nil {
		return nil
	}
	if !p.HasOutputBias() {
		return fmt.Errorf("moves an output bias the network does not have")
	}
	if len(db) != p.K() || !db.Defined() {
		return fmt.Errorf("output-bias move has the wrong shape")
	}
	return nil
}

func checkShape(p *network.Point, d network.Direction) error {
	if len(d) != p.M() {
		return fmt.Errorf("direction has %d neurons, point has %d", len(d), p.M())
	}
	for j := range d {
		if len(d[j].W) != p.D() || len(d[j].A) != p.K() {
			return fmt.Errorf("direction neuron %d has the wrong shape", j)
		}
	}
	return nil
}

// recheckPath checks that L(θ + τΔ) < L(θ) for all τ ∈ (0, 1]: the segment
// stays inside the safe radius (so L along it is one polynomial of degree
// ≤ 4), the polynomial interpolated from exact values of L at five points
// matches a sixth, and Sturm's theorem shows it negative on (0, 1]. It
// returns σ ↦ L(θ + σΔ) − L(θ).
func recheckPath(rc *rechecker, path *Path) (exact.Poly, error) {
	p := rc.p
	if err := checkShape(p, path.Delta); err != nil {
		return nil, fmt.Errorf("path: %w", err)
	}
	if err := checkBiasShape(p, path.Bias); err != nil {
		return nil, fmt.Errorf("path: %w", err)
	}
	if err := rc.safeRadiusOK(path.Delta); err != nil {
		return nil, err
	}
	l0 := rc.loss
	if path.Loss0 == nil || path.Loss1 == nil || l0.Cmp(path.Loss0) != 0 {
		return nil, fmt.Errorf("path: L(θ) does not match")
	}
	lossAt := func(tau *big.Rat) *big.Rat {
		return new(big.Rat).Sub(rc.lossAlong(path.Delta, path.Bias, tau), l0)
	}
	if l1 := lossAt(big.NewRat(1, 1)); new(big.Rat).Add(l1, l0).Cmp(path.Loss1) != 0 {
		return nil, fmt.Errorf("path: L(θ+Δ) is %s by evaluation, certificate says %s", new(big.Rat).Add(l1, l0).RatString(), path.Loss1.RatString())
	}
	var ts, vs []*big.Rat
	for k := int64(0); k <= 4; k++ {
		t := big.NewRat(k, 4)
		ts = append(ts, t)
		vs = append(vs, lossAt(t))
	}
	poly, err := exact.Interpolate(ts, vs)
	if err != nil {
		return nil, err
	}
	third := big.NewRat(1, 3)
	if poly.Eval(third).Cmp(lossAt(third)) != 0 {
		return nil, fmt.Errorf("path: the loss along the segment is not a quartic (safe radius violated)")
	}
	if !poly.NegativeOn(big.NewRat(1, 1)) {
		return nil, fmt.Errorf("path: L(θ+τΔ) − L(θ) = %v is not negative on (0, 1]", poly)
	}
	return poly, nil
}

func recheckEscapes(rc *rechecker, listed []int, ws []EscapeWitness) error {
	p := rc.p
	in := map[int]bool{}
	for _, j := range listed {
		in[j] = true
	}
	for _, w := range ws {
		j := w.Neuron
		if j < 0 || j >= p.M() || !in[j] || len(w.U) != p.D() || len(w.Q) != p.K() || !w.U.Defined() || !w.Q.Defined() {
			return fmt.Errorf("escape witness for neuron %d does not fit", j)
		}
		if w.Q.IsZero() || !rc.responseEquals(j, w.U, w.Q) {
			return fmt.Errorf("neurons[%d]: escape witness: Q_j(u) is not the certificate's %v ≠ 0", j, w.Q)
		}
		if p.Neurons[j].A.Dot(w.Q).Sign() != 0 {
			return fmt.Errorf("neurons[%d]: escape witness: φ_j(u) ≠ 0", j)
		}
	}
	return nil
}

// recheckFace checks a FaceProof by substitution: the cell's signs come from
// its interior point, Q_C and g = Q_Cᵀa_j are evaluated from the definitions,
// and each ∓q_l must equal Σ α_i h_i + β g with α ≥ 0.
func recheckFace(rc *rechecker, j int, fp FaceProof) error {
	p := rc.p
	nr := p.Neurons[j]
	d, k := p.D(), p.K()
	if len(fp.Point) != d || len(fp.Alpha) != 2*k || len(fp.Beta) != 2*k || !fp.Point.Defined() {
		return fmt.Errorf("wrong shape")
	}
	// Q_C = ρ₊S⁺_j + ρ₋S⁻_j (from residues) plus the boundary samples with
	// the slope of the point's side.
	qc := rc.faceBase(j).Clone()
	var hs []exact.Vec
	pf := exact.ToFloatVec(fp.Point)
	for i, x := range p.X {
		if rc.sign[j][i] != 0 || rc.zeroX[i] {
			continue
		}
		sign, ok := exact.DotSign(exact.ToFloatVec(x), pf)
		if !ok {
			sign = x.Dot(fp.Point).Sign()
		}
		if sign == 0 {
			return fmt.Errorf("point on the hyperplane of sample %d", i)
		}
		h := x
		if sign < 0 {
			h = x.Neg()
		}
		hs = append(hs, h)
		c := p.Act.Slope(sign)
		for l := 0; l < k; l++ {
			qc[l].AddScaled(new(big.Rat).Mul(c, rc.r[i][l]), x)
		}
	}
	g := exact.NewVec(d)
	for l := 0; l < k; l++ {
		g.AddScaled(nr.A[l], qc[l])
	}
	for row := 0; row < 2*k; row++ {
		alpha := fp.Alpha[row]
		if len(alpha) != len(hs) || fp.Beta[row] == nil {
			return fmt.Errorf("wrong shape")
		}
		sum := g.Scale(fp.Beta[row])
		for c, h := range hs {
			if alpha[c].Sign() < 0 {
				return fmt.Errorf("α < 0")
			}
			sum.AddScaled(alpha[c], h)
		}
		want := qc[row/2]
		if row%2 == 0 {
			want = want.Neg()
		}
		if !sum.Equal(want) {
			return fmt.Errorf("output %d: %v is not in the dual cone of the critical face", row/2, want)
		}
	}
	return nil
}

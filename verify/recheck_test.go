package verify_test

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/relucert/relucert/cases"
	. "github.com/relucert/relucert/verify"
)

// TestRecheckRejectsTampering alters one part of genuine certificates at a
// time; Recheck must reject every altered one.
//
// It runs on every catalogue case (whose genuine certificates must pass) and
// on 300 random small instances.
func TestRecheckRejectsTampering(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	tampered := map[string]int{}
	cat, err := cases.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	var points []*Point
	for _, c := range cat {
		points = append(points, c.Point())
	}
	for trial := 0; trial < 300; trial++ {
		p := RandomPoint(rng)
		if rng.IntN(2) == 0 {
			for i := range p.X.Rows() {
				x := p.X.Row(i)
				p.Y.SetRow(i, p.Output(x))
				if rng.IntN(3) == 0 {
					p.Y.Set(i, 0, new(big.Rat).Add(p.Y.At(i, 0), big.NewRat(1, 1)))
				}
			}
		}
		points = append(points, p)
	}
	for trial, p := range points {
		v, err := Check(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := Recheck(p, v); err != nil {
			t.Fatalf("point %d: genuine %v certificate fails Recheck: %v", trial, v.Kind, err)
		}
		type tamper struct {
			name  string
			apply func(v *Verdict) bool // false: not applicable
		}
		tampers := []tamper{
			{"loss", func(v *Verdict) bool { v.Loss.Add(v.Loss, big.NewRat(1, 1000)); return true }},
			{"path zeroed", func(v *Verdict) bool {
				path := v.Cert.Path
				if v.Cert.Descent != nil {
					path = v.Cert.Descent.Path
				}
				if path == nil {
					return false
				}
				path.Delta = path.Delta.Scale(new(big.Rat))
				if path.Bias != nil {
					path.Bias = path.Bias.Scale(new(big.Rat)) // an (S0) path moves only b
				}
				return true
			}},
			{"end loss", func(v *Verdict) bool {
				if v.Cert.Path == nil {
					return false
				}
				v.Cert.Path.Loss1.Sub(v.Cert.Path.Loss1, big.NewRat(1, 7))
				return true
			}},
			{"path too long", func(v *Verdict) bool {
				if v.Cert.Path == nil {
					return false
				}
				v.Cert.Path.Delta = v.Cert.Path.Delta.Scale(big.NewRat(1000, 1))
				if v.Cert.Path.Bias != nil {
					v.Cert.Path.Bias = v.Cert.Path.Bias.Scale(big.NewRat(1000, 1))
				}
				return true
			}},
			{"derivative", func(v *Verdict) bool {
				if v.Cert.Descent == nil {
					return false
				}
				v.Cert.Descent.Derivative.Mul(v.Cert.Descent.Derivative, big.NewRat(2, 1))
				return true
			}},
			{"escape Q", func(v *Verdict) bool {
				if len(v.Cert.Escapes) == 0 {
					return false
				}
				q := v.Cert.Escapes[0].Q
				q[0].Add(q[0], big.NewRat(1, 1))
				return true
			}},
			{"cell multiplier", func(v *Verdict) bool {
				for _, sp := range v.Cert.Stationarity {
					for _, c := range sp.Cells {
						// Replace, not change: 0 and 1 may be shared.
						if len(c.Mu) > 0 {
							c.Mu[0] = new(big.Rat).Add(c.Mu[0], big.NewRat(1, 1))
							return true
						}
						if len(c.Lambda) > 0 {
							c.Lambda[0] = new(big.Rat).Add(c.Lambda[0], big.NewRat(1, 1))
							return true
						}
					}
				}
				return false
			}},
			{"cell point", func(v *Verdict) bool {
				for _, sp := range v.Cert.Stationarity {
					for _, c := range sp.Cells {
						if len(sp.ZMinus) > 0 {
							for i := range c.Point {
								c.Point[i].Neg(c.Point[i])
							}
							return true
						}
					}
				}
				return false
			}},
			{"verdict", func(v *Verdict) bool {
				if v.Kind != Saddle {
					return false
				}
				v.Kind = LocalMin
				v.Escape = nil
				return true
			}},
		}
		for _, tp := range tampers {
			w, err := Check(p, Options{}) // a fresh copy to alter
			if err != nil {
				t.Fatal(err)
			}
			if !tp.apply(w) {
				continue
			}
			if err := Recheck(p, w); err == nil {
				t.Fatalf("point %d: %v certificate with %q altered passes Recheck", trial, v.Kind, tp.name)
			}
			tampered[tp.name]++
		}
	}
	for _, name := range []string{"loss", "path zeroed", "end loss", "path too long", "derivative", "escape Q", "cell multiplier", "cell point", "verdict"} {
		if tampered[name] == 0 {
			t.Errorf("tampering %q never applied", name)
		}
	}
	t.Logf("tamperings rejected: %v", tampered)
}

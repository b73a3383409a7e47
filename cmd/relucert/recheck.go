package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/relucert/relucert/cases"
	"github.com/relucert/relucert/certfile"
	"github.com/relucert/relucert/internal/atomicfile"
	"github.com/relucert/relucert/recheck"
)

const recheckSynopsis = "recheck [CASE.json] CERT.cert.json [--json]"

func init() {
	register("recheck", command{
		usage:   recheckSynopsis,
		summary: "re-check a certificate file (from check/suite/snap --cert) against its case, independently of the search: ok or the first failed fact",
		run:     runRecheck,
	})
}

// jsonRecheck is what recheck --json prints.
type jsonRecheck struct {
	File        string `json:"file"`
	Certificate string `json:"certificate"`
	Name        string `json:"name"`
	Verdict     string `json:"verdict"`
	// Recheck is "ok" or the first fact that failed.
	Recheck  string `json:"recheck"`
	ExitCode int    `json:"exit_code"`
}

// runRecheck implements "relucert recheck [CASE.json] CERT.cert.json":
// with CASE the certificate must be about that case (the same canonical
// case hash); without, about the case it carries. Exit 0 when the
// certificate is valid, 1 when a fact fails (or it is about another case),
// 2 on bad input or usage.
func runRecheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("recheck", recheckSynopsis, stderr)
	jsonOut := fs.Bool("json", false, "print one JSON object instead of the report")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) < 1 || len(pos) > 2 {
		fmt.Fprintf(stderr, "relucert recheck: want [CASE.json] CERT.cert.json, got %d arguments\n", len(pos))
		fs.Usage()
		return exitUsage
	}
	certPath := pos[len(pos)-1]
	out := jsonRecheck{Certificate: certPath}
	bad := func(err error) int {
		fmt.Fprintf(stderr, "relucert recheck: %v\n", err)
		if *jsonOut {
			out.Recheck, out.ExitCode = err.Error(), exitUsage
			writeJSON(stdout, out)
		}
		return exitUsage
	}
	data, err := readCertificate(certPath)
	if err != nil {
		return bad(err)
	}
	var (
		head  *certfile.Header
		f     *certfile.File
		bf    *certfile.BoxFile
		check func(*cases.Case) error
	)
	if certfile.IsBox(data) {
		if bf, err = certfile.DecodeBox(certPath, data); err != nil {
			return bad(err)
		}
		head, check = &bf.Header, func(c *cases.Case) error { return checkCertificate(func() error { return certfile.CheckBox(c, bf) }) }
		out.Verdict = bf.Box.Kind.String()
	} else {
		if f, err = certfile.Decode(certPath, data); err != nil {
			return bad(err)
		}
		head, check = &f.Header, func(c *cases.Case) error { return checkCertificate(func() error { return certfile.Check(c, f) }) }
		out.Verdict = f.Kind.String()
	}
	var c *cases.Case
	if len(pos) == 2 {
		out.File = pos[0]
		if c, err = cases.Load(pos[0]); err != nil {
			return bad(err)
		}
	} else if c, err = head.EmbeddedCase(certPath); err != nil {
		return bad(err)
	}
	fitMemoryLimit()
	out.Name = c.Name
	err = check(c)
	out.ExitCode = exitOK
	if err != nil {
		out.ExitCode = exitDisagree
	}
	if *jsonOut {
		out.Recheck = "ok"
		if err != nil {
			out.Recheck = err.Error()
		}
		writeJSON(stdout, out)
		return out.ExitCode
	}
	if err != nil {
		fmt.Fprintf(stdout, "recheck %s: FAILED — %v\n", certPath, err)
		return exitDisagree
	}
	if bf != nil {
		v := bf.Box
		fmt.Fprintf(stdout, "recheck %s: ok — %s (k ≥ 2 box: the exact stationary point θ* is unique in the box), escape neurons %v, undecided %v, L(θ*) ∈ [%s, %s], for the data of case %s (sha256 %s), validated by interval evaluation and substitution (package recheck)\n",
			certPath, v.Kind, v.Escape, v.Undecided, v.Loss.Lo.Text('g', 10), v.Loss.Hi.Text('g', 10), c.Name, bf.CaseSHA256[:12])
		return exitOK
	}
	if recheck.ClaimsNothing(&f.Verdict) {
		loss := "not computed"
		if f.Loss != nil {
			loss = "L = " + f.Loss.RatString() + " (checked)"
		}
		fmt.Fprintf(stdout, "recheck %s: ok — undetermined, and the certificate claims nothing else (%s): %s; for case %s (sha256 %s)\n",
			certPath, loss, f.Reason, c.Name, f.CaseSHA256[:12])
		return exitOK
	}
	fmt.Fprintf(stdout, "recheck %s: ok — %s, escape neurons %v, L = %s, for case %s (sha256 %s), validated by substitution and exact evaluation (package recheck)\n",
		certPath, f.Kind, f.Escape, f.Loss.RatString(), c.Name, f.CaseSHA256[:12])
	return exitOK
}

// readCertificate reads a certificate file: a regular file only (opened
// without blocking) of at most the size limit of a case file.
func readCertificate(path string) ([]byte, error) {
	f, size, err := cases.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", path, err)
	}
	defer f.Close()
	if lim := (cases.Limits{}).FileSize(); size > lim {
		return nil, fmt.Errorf("certificate %s: %d bytes, more than the limit of %d MiB", path, size, lim>>20)
	}
	return io.ReadAll(io.LimitReader(f, size+1))
}

// checkCertificate runs check (certfile.Check or CheckBox), turning a
// panic into an error.
func checkCertificate(check func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error in recheck: %v", r)
		}
	}()
	return check()
}

// saveCertificate writes the certificate file of verdict v for case c to
// path, atomically.
func saveCertificate(path string, c *cases.Case, v *recheck.Verdict) error {
	if v == nil {
		return errors.New("no verdict to certify")
	}
	data, err := certfile.Encode(c, v)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o644)
}

// saveBoxCertificate writes the certificate file of the box verdict v for
// the data of case c to path, atomically.
func saveBoxCertificate(path string, c *cases.Case, v *recheck.BoxVerdict) error {
	data, err := certfile.EncodeBox(c, v)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o644)
}

package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/relucert/relucert/internal/atomicfile"
)

// The JUnit XML report of "relucert suite --junit FILE": a <testsuites>
// root holding one <testsuite> with a <testcase> per case file and a
// <failure> for each case that failed (its message says why).

// junitTestsuites is the root element.
type junitTestsuites struct {
	XMLName  xml.Name         `xml:"testsuites"`
	Name     string           `xml:"name,attr"`
	Tests    int              `xml:"tests,attr"`
	Failures int              `xml:"failures,attr"`
	Errors   int              `xml:"errors,attr"`
	Time     string           `xml:"time,attr"`
	Suites   []junitTestsuite `xml:"testsuite"`
}

// junitTestsuite is the one suite of a run.
type junitTestsuite struct {
	Name      string          `xml:"name,attr"`
	Tests     int             `xml:"tests,attr"`
	Failures  int             `xml:"failures,attr"`
	Errors    int             `xml:"errors,attr"`
	Skipped   int             `xml:"skipped,attr"`
	Time      string          `xml:"time,attr"`
	Testcases []junitTestcase `xml:"testcase"`
}

// junitTestcase is one case file.
type junitTestcase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure"`
	SystemOut string        `xml:"system-out,omitempty"`
}

// junitFailure says why a case failed.
type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// seconds formats a duration in seconds for JUnit's time attributes.
func seconds(ms float64) string { return fmt.Sprintf("%.3f", ms/1000) }

// toJUnit converts a suite run to its JUnit form.
func toJUnit(r *suiteResult) *junitTestsuites {
	name := "relucert suite (embedded catalogue)"
	class := "relucert.catalogue"
	if r.Dir != "" {
		name = "relucert suite " + r.Dir
		class = "relucert.suite"
	}
	passed, failed := r.counts()
	ts := junitTestsuite{Name: name, Tests: passed + failed, Failures: failed, Time: seconds(msf(r.Elapsed))}
	for _, c := range r.Cases {
		tc := junitTestcase{
			Name: c.Name, Classname: class, File: c.File,
			Time:      seconds(msf(c.ExactTime + c.RecheckTime + c.FloatTime)),
			SystemOut: junitDetails(c),
		}
		if !c.Passed() {
			tc.Failure = &junitFailure{
				Message: strings.Join(c.Failures, "; "),
				Type:    "expect",
				Text:    strings.Join(c.Failures, "\n"),
			}
		}
		ts.Testcases = append(ts.Testcases, tc)
	}
	return &junitTestsuites{
		Name: "relucert", Tests: ts.Tests, Failures: ts.Failures, Time: ts.Time,
		Suites: []junitTestsuite{ts},
	}
}

// junitDetails is the <system-out> of a case: both verdicts and the
// float64 differences.
func junitDetails(c *suiteCase) string {
	row := c.row()
	var b strings.Builder
	for i, col := range suiteColumns {
		if row[i] != "" {
			fmt.Fprintf(&b, "%s: %s\n", col.head, row[i])
		}
	}
	for _, d := range c.FloatDiffs {
		fmt.Fprintf(&b, "float64 difference: %s\n", d)
	}
	return b.String()
}

// writeJUnit writes the JUnit XML report of r to w.
func writeJUnit(w io.Writer, r *suiteResult) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(toJUnit(r)); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// writeJUnitFile writes the JUnit XML report of r to the file path.
func writeJUnitFile(path string, r *suiteResult) error {
	err := atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error { return writeJUnit(w, r) })
	if err != nil {
		return fmt.Errorf("--junit %s: %w", path, err)
	}
	return nil
}

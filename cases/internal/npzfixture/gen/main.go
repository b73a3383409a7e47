// Command gen writes the weight-file fixtures of package cases into the
// directory given as its argument (see package npzfixture):
//
//	go run ./cases/internal/npzfixture/gen cases/testdata/weights
package main

import (
	"fmt"
	"os"

	"github.com/relucert/relucert/cases/internal/npzfixture"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen DIR")
		os.Exit(2)
	}
	if err := os.MkdirAll(os.Args[1], 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := npzfixture.Generate(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

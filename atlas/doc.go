// Package atlas identifies the stationary points that training runs reach
// (docs/theory.md §12): the canonical form of a parameter point up to the
// symmetries of network embedding (Form, Canonical), and the atlas of a
// sweep — every distinct certified point with how many runs reached it and
// at which plateau (Build).
package atlas

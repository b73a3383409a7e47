package verify

// RandomPoint exposes the random small-instance generator of the tests to
// the external test package verify_test.
var RandomPoint = randomPoint

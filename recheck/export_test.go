package recheck

// CheckCover exposes checkCover to the external tests.
var CheckCover = checkCover

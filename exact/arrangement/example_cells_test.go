package arrangement_test

import (
	"fmt"

	"github.com/relucert/relucert/exact"
	"github.com/relucert/relucert/exact/arrangement"
)

// The lines x = 0, y = 0 and x + y = 0 cut the plane into 6 sectors. Both x
// and y positive force x + y > 0, and both negative force x + y < 0, so the
// sign vectors (+,+,−) and (−,−,+) are missing; the other 6 of the 8 occur.
func ExampleCells() {
	normals := []exact.Vec{exact.VecOf(1, 0), exact.VecOf(0, 1), exact.VecOf(1, 1)}
	cells, err := arrangement.Cells(normals, 2, 0)
	if err != nil {
		panic(err)
	}
	for _, c := range cells {
		fmt.Println(c.Signs, c.Check(normals))
	}
	// Output:
	// [-1 -1 -1] true
	// [-1 1 -1] true
	// [-1 1 1] true
	// [1 -1 -1] true
	// [1 -1 1] true
	// [1 1 1] true
}

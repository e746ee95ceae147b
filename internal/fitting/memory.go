package fitting

import (
	"fmt"
	"math"

	"github.com/poisfact/poisfact/internal/osutil"
)

// CheckFactorMemory refuses a fit of an n × p matrix with K factors whose
// factor arrays could not be allocated: arrays float64 arrays of K values
// for every row and every column. It says how much the fit would need
// when that exceeds the machine's physical memory (where it is known) or
// overflows, so that "fit -k 1000000000" is one line, not an
// out-of-memory crash with a stack dump.
func CheckFactorMemory(pkg string, n, p, k, arrays int) error {
	need := 8 * float64(arrays) * float64(k) * float64(n+p)
	total := physicalMemory()
	if need <= math.MaxInt64/2 && (total == 0 || need <= float64(total)) {
		return nil
	}
	msg := fmt.Sprintf("%s: K = %d on %d × %d needs about %s for its factors", pkg, k, n, p, osutil.Bytes(need))
	if total > 0 {
		msg += fmt.Sprintf(", more than this machine's %s of memory", osutil.Bytes(float64(total)))
	}
	return fmt.Errorf("%s: use a smaller K", msg)
}

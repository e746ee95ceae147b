package main

import "runtime"

// workersUsed returns the number of goroutines a fit with the -workers
// flag w runs on.
func workersUsed(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

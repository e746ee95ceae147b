//go:build !linux

package fitting

// physicalMemory returns 0, unknown: only the overflow check applies.
func physicalMemory() uint64 { return 0 }

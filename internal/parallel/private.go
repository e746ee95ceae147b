package parallel

// guard is the padding, in float64s, that Private puts on each side of a
// worker's buffer: two 64-byte cache lines, since some processors fetch
// lines in pairs.
const guard = 16

// Private returns a zeroed buffer of n float64s for one worker's use,
// padded so that no cache line holding its elements holds anything else.
// Buffers that two workers write at the same time, allocated one after
// the other, would otherwise share the line at their boundary, and every
// write to it would take the line from the other core (false sharing): a
// side's per-row buffers, written K at a time for every row, lost two
// workers a tenth of their speed-up that way.
func Private(n int) []float64 {
	b := make([]float64, n+2*guard)
	return b[guard : guard+n : guard+n]
}

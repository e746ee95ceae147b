// Package pcg moves a math/rand/v2 PCG stream forward by any number of
// steps at the cost of O(log steps) multiplications, so that the part of a
// start drawn for rows lo..hi of a matrix can be drawn without the draws
// of the rows before it: a shard of a distributed fit starts exactly as
// its rows would in the in-process fit.
//
// rand.PCG is a 128-bit linear congruential generator, state ← state·m +
// c (mod 2¹²⁸), with a fixed output permutation; n steps are one affine
// map state ← state·mⁿ + c·(mⁿ⁻¹ + … + m + 1), whose coefficients square
// and multiply up as the bits of n are read (Brown, "Random number
// generation with arbitrary strides", 1994). Go's multiplier and
// increment are not exported; they are restated here, and the test
// checks Skip against stepping the generator, so a change in Go's
// generator fails it.
package pcg

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"math/rand/v2"
)

// u128 is an unsigned 128-bit integer, arithmetic modulo 2¹²⁸.
type u128 struct{ hi, lo uint64 }

func (a u128) mul(b u128) u128 {
	hi, lo := bits.Mul64(a.lo, b.lo)
	hi += a.hi*b.lo + a.lo*b.hi
	return u128{hi, lo}
}

func (a u128) add(b u128) u128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}
}

// The multiplier and increment of math/rand/v2's PCG.
var (
	multiplier = u128{2549297995355413924, 4865540595714422341}
	increment  = u128{6364136223846793005, 1442695040888963407}
)

// Skip advances p by n steps: afterwards p gives what it would have given
// after n calls of p.Uint64 (and so after n calls of Float64 on a
// rand.Rand over p, which takes one step each).
func Skip(p *rand.PCG, n uint64) {
	b, err := p.MarshalBinary()
	if err != nil || len(b) != 20 {
		// MarshalBinary of a PCG cannot fail; a different encoding means
		// a different generator, which the test would have caught.
		panic(fmt.Sprintf("pcg: unexpected state encoding %q (%v)", b, err))
	}
	state := u128{binary.BigEndian.Uint64(b[4:12]), binary.BigEndian.Uint64(b[12:20])}
	accMul, accInc := u128{0, 1}, u128{}
	curMul, curInc := multiplier, increment
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			accMul = accMul.mul(curMul)
			accInc = accInc.mul(curMul).add(curInc)
		}
		curInc = curMul.add(u128{0, 1}).mul(curInc)
		curMul = curMul.mul(curMul)
	}
	state = accMul.mul(state).add(accInc)
	binary.BigEndian.PutUint64(b[4:12], state.hi)
	binary.BigEndian.PutUint64(b[12:20], state.lo)
	if err := p.UnmarshalBinary(b); err != nil {
		panic(fmt.Sprintf("pcg: %v", err))
	}
}

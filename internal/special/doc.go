// Package special holds numerics that both fitting algorithms need: an
// accurate digamma function and compensated summation.
package special
